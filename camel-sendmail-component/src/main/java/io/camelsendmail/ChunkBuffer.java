package io.camelsendmail;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * A message serialized once: its bytes with CRLF line ends and no dot-stuffing, ending with a line break, so that its
 * size is known before it is sent. Sent as one BDAT chunk (RFC 3030), or written through DATA's dot-stuffing stream.
 * Only for messages up to {@link #MAX} bytes; larger ones are streamed with DATA.
 */
final class ChunkBuffer {

    /** The largest message sent as one chunk. */
    static final int MAX = 1 << 20;

    private ChunkBuffer() {
    }

    /** @return the message's bytes, or null when it is larger than {@link #MAX} */
    static byte[] of(MimeMessage message, String[] ignoreHeaders) throws IOException, MessagingException {
        Limited buffer = new Limited();
        Canonical out = new Canonical(buffer);
        try {
            message.writeTo(out, ignoreHeaders);
            out.endLine();
            out.flush();
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TooLarge) {
                    return null;
                }
            }
            throw e;
        }
        return buffer.toByteArray();
    }

    private static final class Canonical extends CRLFOutputStream {
        Canonical(OutputStream out) {
            super(out);
        }

        void endLine() throws IOException {
            if (!atBOL) {
                writeln();
            }
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("larger than " + MAX + " bytes");
        }
    }

    private static final class Limited extends OutputStream {
        private byte[] bytes = new byte[8192];
        private int count;

        @Override
        public void write(int b) throws IOException {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void ensure(int more) throws TooLarge {
            if (count + more > MAX) {
                throw new TooLarge();
            }
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(MAX, Math.max(bytes.length * 2, count + more)));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }
    }
}
