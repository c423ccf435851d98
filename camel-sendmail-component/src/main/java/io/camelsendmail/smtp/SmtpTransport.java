package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;

import javax.net.ssl.SSLSocketFactory;

/**
 * What a {@link SmtpConnection} needs of the bytes' way to the server and back: {@link SmtpChannel} over a socket, or
 * a server played in memory in the tests of the transaction logic.
 */
interface SmtpTransport {

    /** Opens a transport to the server the settings name. */
    @FunctionalInterface
    interface Connector {
        SmtpTransport connect(SmtpSettings settings) throws IOException;
    }

    /** Buffers bytes for the server; they leave with {@link #flush()} or when the buffer is full. */
    void write(byte[] bytes) throws IOException;

    /** The stream that buffers bytes for the server, for message data. */
    OutputStream output();

    void flush() throws IOException;

    /** Reads one whole reply within the timeout. */
    SmtpReply readReply() throws IOException;

    /** Reads one whole reply within {@code millis}. */
    SmtpReply readReply(int millis) throws IOException;

    /** @return whether the server sent bytes that no reply has read */
    boolean hasUnreadInput() throws IOException;

    /** Upgrades to TLS (after the server's 220 to STARTTLS). */
    void startTls(SSLSocketFactory tls) throws IOException;

    /** @return TLS protocol and cipher suite, or null on a plain connection */
    String tlsDescription();

    void close();
}
