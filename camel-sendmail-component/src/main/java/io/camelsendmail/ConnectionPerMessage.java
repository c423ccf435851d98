package io.camelsendmail;

/**
 * Opens a new connection for each message and closes it (QUIT) afterwards, as Twisted's {@code sendmail} does.
 */
final class ConnectionPerMessage implements SmtpSessions {

    private final SmtpConnectionFactory factory;
    private final boolean allowPartialDelivery;

    ConnectionPerMessage(SmtpConnectionFactory factory, boolean allowPartialDelivery) {
        this.factory = factory;
        this.allowPartialDelivery = allowPartialDelivery;
    }

    @Override
    public Delivery deliver(OutgoingMail mail) throws SendmailException {
        SmtpConnection connection = factory.open();
        try {
            return connection.send(mail, allowPartialDelivery);
        } finally {
            connection.quietlyClose();
        }
    }

    @Override
    public void close() {
        // nothing is kept open between messages
    }
}
