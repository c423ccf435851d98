package io.camelsendmail.message;

import jakarta.mail.internet.MimeMessage;

/**
 * What the composer made of an exchange: the envelope, the message, and the source to close once the message is
 * prepared (an open file), if any.
 */
public record OutgoingMail(Envelope envelope, MimeMessage message, AutoCloseable source) {

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
