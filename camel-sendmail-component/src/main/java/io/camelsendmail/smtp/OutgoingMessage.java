package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A message ready for the wire: its envelope, and its bytes with CRLF line ends, not dot-stuffed, ending with a line
 * break. Prepared before a connection is borrowed, so that nothing about the message itself can fail on the wire.
 */
public interface OutgoingMessage {

    /** The envelope sender: the address of MAIL FROM. */
    String sender();

    /** The envelope recipients, one RCPT TO each, in order. */
    List<String> recipients();

    /** @return whether an envelope address needs the server's SMTPUTF8 extension */
    boolean needsSmtpUtf8();

    /** The message's size in bytes: the SIZE parameter of RFC 1870, which does not count dot-stuffing. */
    long size();

    /** @return the bytes where the message is held in memory (small enough to send as one BDAT chunk), else null */
    byte[] bytes();

    /** Writes the message's bytes, as {@link #size()} counts them. */
    void writeTo(OutputStream out) throws IOException;

    /** @return what the message asks of delivery status notifications, or null */
    default Dsn dsn() {
        return null;
    }
}
