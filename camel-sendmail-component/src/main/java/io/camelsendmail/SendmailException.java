package io.camelsendmail;

import java.util.List;

import org.apache.camel.CamelException;

/**
 * Base of every failure of the {@code sendmail:} producer. Carries the SMTP reply code (or -1 when there was none),
 * whether a retry may succeed, the SMTP step it happened in, and the per-recipient statuses known so far.
 */
public class SendmailException extends CamelException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final boolean transientFailure;
    private final String step;
    private final List<RecipientStatus> statuses;

    public SendmailException(String message, String step, int code, boolean transientFailure,
                             List<RecipientStatus> statuses, Throwable cause) {
        super(message, cause);
        this.step = step;
        this.code = code;
        this.transientFailure = transientFailure;
        this.statuses = statuses == null ? List.of() : List.copyOf(statuses);
    }

    /** @return the SMTP reply code that caused this failure, or -1 when the server gave none */
    public int getCode() {
        return code;
    }

    /**
     * @return true for a 4xx reply, or a network failure before the message was handed over: a later retry of the same
     *         exchange may succeed and cannot deliver it twice
     */
    public boolean isTransient() {
        return transientFailure;
    }

    /** @return the SMTP step the failure happened in (for example {@code RCPT} or {@code STARTTLS}), or null */
    public String getStep() {
        return step;
    }

    /** @return the per-recipient statuses known when the failure happened, in RCPT order */
    public List<RecipientStatus> getStatuses() {
        return statuses;
    }
}
