package io.camelsendmail;

import java.util.List;

/**
 * The server refused the credentials.
 */
public class AuthenticationFailedException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
