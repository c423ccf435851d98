package io.camelsendmail;

import jakarta.mail.internet.MimeMessage;

/**
 * What the producer hands to a session: the envelope, the message to transmit, and the source to close afterwards
 * (an open file), if any.
 */
record OutgoingMail(Envelope envelope, MimeMessage message, AutoCloseable source) {

    void closeSource() {
        closeQuietly(source);
    }

    static void closeQuietly(AutoCloseable source) {
        if (source != null) {
            try {
                source.close();
            } catch (Exception e) {
                // the message has been sent or refused already; a failed close loses nothing
            }
        }
    }
}
