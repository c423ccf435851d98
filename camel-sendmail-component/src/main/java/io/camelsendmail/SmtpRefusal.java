package io.camelsendmail;

import jakarta.mail.MessagingException;

/**
 * Carries a {@link SendmailException} through Angus Mail's {@code MessagingException}-only methods, so that a refusal
 * decided inside the conversation reaches the caller unchanged.
 */
final class SmtpRefusal extends MessagingException {

    private static final long serialVersionUID = 1L;

    private final SendmailException refusal;

    SmtpRefusal(SendmailException refusal) {
        super(refusal.getMessage());
        this.refusal = refusal;
    }

    SendmailException refusal() {
        return refusal;
    }
}
