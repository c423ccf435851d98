package io.camelsendmail;

import java.util.List;

/**
 * The server refused the sender, every recipient (or any, with {@code allowPartialDelivery=false}), the data, or the message itself.
 */
public class SmtpDeliveryException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public SmtpDeliveryException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
