package io.camelsendmail.message;

import java.io.InputStream;

import jakarta.mail.internet.MimeMessage;

import io.camelsendmail.smtp.Dsn;

/**
 * What the composer made of an exchange: the envelope, the message, and the source to close once the message is
 * prepared (an open file, a stream), if any. For a raw message given as a stream, {@code message} holds its header
 * section only and {@code body} the rest of the stream, which is never held in memory. {@code dsn} is what it asks of
 * delivery status notifications, or null.
 */
public record OutgoingMail(Envelope envelope, MimeMessage message, InputStream body, AutoCloseable source, Dsn dsn) {

    public OutgoingMail(Envelope envelope, MimeMessage message, AutoCloseable source) {
        this(envelope, message, null, source, null);
    }

    /** The same mail, asking for these delivery status notifications. */
    OutgoingMail withDsn(Dsn requested) {
        return new OutgoingMail(envelope, message, body, source, requested);
    }

    void closeSource() {
        if (source != null) {
            try {
                source.close();
            } catch (Exception e) {
                // the message was read already; a failed close loses nothing
            }
        }
    }
}
