package io.camelsendmail;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one endpoint has delivered and why it failed, since it started: messages the server accepted, recipients
 * accepted and refused, and failed messages by kind (the exception's class).
 */
public final class SendmailStatistics {

    private final LongAdder sent = new LongAdder();
    private final LongAdder recipientsAccepted = new LongAdder();
    private final LongAdder recipientsRefused = new LongAdder();
    private final LongAdder failedConnect = new LongAdder();
    private final LongAdder failedTransportSecurity = new LongAdder();
    private final LongAdder failedAuthentication = new LongAdder();
    private final LongAdder failedDelivery = new LongAdder();
    private final LongAdder failedInvalidMessage = new LongAdder();
    private final LongAdder failedOther = new LongAdder();
    private final AtomicLong lastSentMillis = new AtomicLong();

    void sent(int accepted, int refused) {
        sent.increment();
        recipientsAccepted.add(accepted);
        recipientsRefused.add(refused);
        lastSentMillis.set(System.currentTimeMillis());
    }

    void failed(Throwable failure) {
        if (failure instanceof InvalidMessageException) {
            failedInvalidMessage.increment();
        } else if (failure instanceof AuthenticationFailedException || failure instanceof AuthenticationRequiredException) {
            failedAuthentication.increment();
        } else if (failure instanceof TransportSecurityRequiredException) {
            failedTransportSecurity.increment();
        } else if (failure instanceof SmtpConnectException) {
            failedConnect.increment();
        } else if (failure instanceof SmtpDeliveryException e) {
            failedDelivery.increment();
            if (e.getStatuses() != null) {
                recipientsRefused.add(e.getStatuses().stream().filter(s -> s.code() >= 400).count());
            }
        } else {
            failedOther.increment();
        }
    }

    /** Messages the server accepted (for at least one recipient). */
    public long getMessagesSent() {
        return sent.sum();
    }

    public long getRecipientsAccepted() {
        return recipientsAccepted.sum();
    }

    public long getRecipientsRefused() {
        return recipientsRefused.sum();
    }

    /** Failed messages: the server could not be reached, or dropped the connection (SmtpConnectException). */
    public long getFailedConnect() {
        return failedConnect.sum();
    }

    /** Failed messages: TLS was required and not to be had (TransportSecurityRequiredException). */
    public long getFailedTransportSecurity() {
        return failedTransportSecurity.sum();
    }

    /** Failed messages: sign-in refused or not offered (AuthenticationFailedException, AuthenticationRequiredException). */
    public long getFailedAuthentication() {
        return failedAuthentication.sum();
    }

    /** Failed messages: the server refused the sender, the recipients or the data (SmtpDeliveryException). */
    public long getFailedDelivery() {
        return failedDelivery.sum();
    }

    /** Failed messages: bad input, refused before any connection (InvalidMessageException). */
    public long getFailedInvalidMessage() {
        return failedInvalidMessage.sum();
    }

    public long getFailedOther() {
        return failedOther.sum();
    }

    public long getMessagesFailed() {
        return getFailedConnect() + getFailedTransportSecurity() + getFailedAuthentication() + getFailedDelivery()
               + getFailedInvalidMessage() + getFailedOther();
    }

    /** When the server last accepted a message, in epoch milliseconds; 0 before the first. */
    public long getLastSentMillis() {
        return lastSentMillis.get();
    }
}
