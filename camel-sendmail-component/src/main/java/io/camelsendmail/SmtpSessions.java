package io.camelsendmail;

/**
 * The seam between the producer and SMTP connections: how a connection is obtained for a message and what happens to
 * it afterwards. Connecting, TLS and AUTH live in {@link SmtpConnectionFactory}; implementations decide reuse.
 */
interface SmtpSessions extends AutoCloseable {

    /** Delivers one message, or throws the {@link SendmailException} that says why not. */
    Delivery deliver(OutgoingMail mail) throws SendmailException;

    /** Closes every connection this holds, with QUIT where possible. */
    @Override
    void close();
}
