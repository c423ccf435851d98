package io.camelsendmail.message;

import java.io.InputStream;

import jakarta.mail.internet.MimeMessage;

/**
 * What the composer made of an exchange: the envelope, the message, and the source to close once the message is
 * prepared (an open file, a stream), if any. For a raw message given as a stream, {@code message} holds its header
 * section only and {@code body} the rest of the stream, which is never held in memory.
 */
public record OutgoingMail(Envelope envelope, MimeMessage message, InputStream body, AutoCloseable source) {

    public OutgoingMail(Envelope envelope, MimeMessage message, AutoCloseable source) {
        this(envelope, message, null, source);
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
