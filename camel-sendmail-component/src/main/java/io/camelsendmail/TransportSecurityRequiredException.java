package io.camelsendmail;

import java.util.List;

/**
 * TLS was required (by {@code requireTransportSecurity}, by credentials, or because the server offered STARTTLS) and could not be had.
 */
public class TransportSecurityRequiredException extends SendmailException {

    private static final long serialVersionUID = 1L;

    public TransportSecurityRequiredException(String message, String step, int code, boolean transientFailure,
            List<RecipientStatus> statuses, Throwable cause) {
        super(message, step, code, transientFailure, statuses, cause);
    }
}
