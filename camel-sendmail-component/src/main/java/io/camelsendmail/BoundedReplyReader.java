package io.camelsendmail;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import org.eclipse.angus.mail.util.LineInputStream;

/**
 * Reads the server's replies for Angus Mail with limits its own reader does not have: a reply line longer than
 * {@link #MAX_LINE} characters or a reply longer than {@link #MAX_REPLY} ends the connection (memory stays bounded
 * whatever the server sends), and a reply must be complete within {@code timeout} milliseconds even when the server
 * sends it a byte at a time (the socket's read timeout only bounds the wait for each byte).
 */
final class BoundedReplyReader extends LineInputStream {

    /** RFC 5321 allows 512 octets per reply line; real servers stay far below this. */
    static final int MAX_LINE = 8192;
    /** All the lines of one reply (a long EHLO reply is a few hundred octets). */
    static final int MAX_REPLY = 65536;

    private final long timeoutNanos;
    private final int timeoutMillis;
    private long deadline;
    private int replyLength;

    BoundedReplyReader(InputStream in, int timeoutMillis) {
        super(in);
        this.timeoutMillis = timeoutMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        startReply();
    }

    /** Starts the clock and the size count for the next reply. */
    void startReply() {
        deadline = System.nanoTime() + timeoutNanos;
        replyLength = 0;
    }

    @Override
    public String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException("the reply was not complete within timeout=" + timeoutMillis + " ms");
            }
            if (++replyLength > MAX_REPLY) {
                throw new IOException("the reply is longer than " + MAX_REPLY + " characters");
            }
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("a reply line is longer than " + MAX_LINE + " characters");
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }
}
