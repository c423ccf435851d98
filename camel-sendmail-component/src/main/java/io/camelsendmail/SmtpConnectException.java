package io.camelsendmail;

import java.util.List;

/**
 * No connection, a bad greeting, a lost connection or a timeout.
 */
public class SmtpConnectException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public SmtpConnectException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
