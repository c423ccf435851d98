package io.camelsendmail;

import java.util.List;

/**
 * {@code requireAuthentication} is set and the server offers no usable AUTH mechanism.
 */
public class AuthenticationRequiredException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public AuthenticationRequiredException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
