package io.camelsendmail.support;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A raw RFC 5322 message of a given size, made up as it is read: nothing of it is held in memory. Its lines end with
 * a bare LF, and every thousandth starts with a dot, so that line ends are made canonical and dots stuffed on the way.
 */
public final class GeneratedMessage extends InputStream {

    public static final String HEADERS = "From: alice@example.com\nTo: bob@example.com\nSubject: large\n"
                                         + "Message-ID: <large@example.com>\nDate: Sat, 28 Nov 2026 12:00:00 +0000\n\n";

    private final long bodyBytes;
    private final byte[] headers = HEADERS.getBytes(StandardCharsets.US_ASCII);
    private long position;
    private byte[] line = new byte[0];
    private int linePosition;
    private long lines;

    /** @param bodyBytes the size of the body, in LF-ended lines (rounded up to a whole line) */
    public GeneratedMessage(long bodyBytes) {
        this.bodyBytes = bodyBytes;
    }

    /** The body's lines as the message has them (bare LF). */
    public static byte[] line(long n) {
        String text = (n % 1000 == 0 ? "." : "") + "line " + String.format("%09d", n) + " " + "x".repeat(64) + "\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position < headers.length) {
            int n = (int) Math.min(len, headers.length - position);
            System.arraycopy(headers, (int) position, b, off, n);
            position += n;
            return n;
        }
        if (linePosition == line.length) {
            if (position - headers.length >= bodyBytes) {
                return -1;
            }
            line = line(lines++);
            linePosition = 0;
        }
        int n = Math.min(len, line.length - linePosition);
        System.arraycopy(line, linePosition, b, off, n);
        linePosition += n;
        position += n;
        return n;
    }
}
