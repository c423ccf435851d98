package io.camelsendmail;

import java.io.IOException;
import java.io.OutputStream;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.smtp.SMTPOutputStream;

/**
 * Counts the bytes a message takes on the wire (CRLF line ends, dot-stuffed), without holding it in memory.
 */
final class MessageSize {

    private MessageSize() {
    }

    /** The wire size of a message already serialized with CRLF line ends (see {@link ChunkBuffer}). */
    static long of(byte[] message) throws IOException {
        Counter counter = new Counter();
        SMTPOutputStream wire = new SMTPOutputStream(counter);
        wire.write(message);
        wire.ensureAtBOL();
        wire.flush();
        return counter.count;
    }

    static long of(MimeMessage message, String[] ignoredHeaders) throws IOException, MessagingException {
        Counter counter = new Counter();
        SMTPOutputStream wire = new SMTPOutputStream(counter);
        message.writeTo(wire, ignoredHeaders);
        wire.ensureAtBOL();
        wire.flush();
        return counter.count;
    }

    private static final class Counter extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
