package io.camelsendmail;

import java.util.List;

/**
 * The exchange cannot be turned into a message: a bad address, a CR or LF in a header value, no recipient, an unknown body type. Nothing was sent.
 */
public class InvalidMessageException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public InvalidMessageException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
