package io.camelsendmail.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import jdk.net.ExtendedSocketOptions;

/**
 * Reads the server's replies with limits: a reply line longer than {@link #MAX_LINE} characters or a reply longer
 * than {@link #MAX_REPLY} ends the connection (memory stays bounded whatever the server sends), and a reply must be
 * complete within {@code timeout} milliseconds even when the server sends it a byte at a time.
 */
final class ReplyReader {

    /** RFC 5321 allows 512 octets per reply line; real servers stay far below this. */
    static final int MAX_LINE = 8192;
    /** All the lines of one reply (a long EHLO reply is a few hundred octets). */
    static final int MAX_REPLY = 65536;

    /** The server closed the connection, before or in the middle of a reply. */
    static final class ClosedByServer extends EOFException {
        private static final long serialVersionUID = 1L;

        ClosedByServer() {
            super("the server closed the connection");
        }
    }

    /** A line that is not an SMTP reply line. */
    static final class NotSmtp extends IOException {
        private static final long serialVersionUID = 1L;
        private final String line;

        NotSmtp(String line) {
            super("not an SMTP reply: '" + line + "'");
            this.line = line;
        }

        String line() {
            return line;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private boolean quickAck = true;

    ReplyReader(Socket socket, InputStream in, int timeoutMillis) {
        this.socket = socket;
        this.in = in;
        this.timeoutMillis = timeoutMillis;
    }

    /** Reads one whole reply, its continuation lines ({@code 250-...}) included, within the timeout. */
    SmtpReply read() throws IOException {
        return read(timeoutMillis);
    }

    /** Reads one whole reply within {@code millis}. */
    SmtpReply read(int millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        StringBuilder lines = new StringBuilder(64);
        int replyLength = 0;
        while (true) {
            int start = lines.length();
            replyLength += readLine(lines, deadline, MAX_REPLY - replyLength);
            String line = lines.substring(start);
            if (line.length() < 3 || !isDigit(line.charAt(0)) || !isDigit(line.charAt(1)) || !isDigit(line.charAt(2))
                || line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
                throw new NotSmtp(line.length() > 200 ? line.substring(0, 200) + "..." : line);
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new SmtpReply(Integer.parseInt(line.substring(0, 3)), lines.toString());
            }
            lines.append('\n');
        }
    }

    /** @return whether the server has sent bytes that no reply has read yet */
    boolean hasUnreadInput() throws IOException {
        return position < limit || in.available() > 0;
    }

    /** Appends one line without its line break; returns the number of bytes it took. */
    private int readLine(StringBuilder into, long deadline, int budget) throws IOException {
        int taken = 0;
        line.reset();
        while (true) {
            if (position == limit) {
                fill(deadline);
            }
            byte b = buffer[position++];
            if (++taken > budget) {
                throw new IOException("the reply is longer than " + MAX_REPLY + " characters");
            }
            if (b == '\n') {
                int length = line.size();
                byte[] bytes = line.toByteArray();
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                // RFC 6531: an SMTPUTF8 server's replies are UTF-8 (and ASCII is UTF-8)
                into.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
                return taken;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a reply line is longer than " + MAX_LINE + " characters");
            }
            line.write(b);
        }
    }

    private void fill(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw timedOut();
        }
        // the read waits at most until the whole reply is due: a server dripping bytes cannot stretch it
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        int n;
        try {
            n = in.read(buffer, 0, buffer.length);
        } catch (SocketTimeoutException e) {
            throw timedOut();
        }
        if (n < 0) {
            throw new ClosedByServer();
        }
        position = 0;
        limit = n;
        quickAck();
    }

    /**
     * Acknowledges what was read at once rather than after Linux's delayed-ACK timer (up to 40 ms): a server that
     * writes its pipelined replies in several small writes under Nagle's algorithm waits for that ACK before the next.
     * Where the socket does not offer it (another OS, a TLS socket that keeps the option to itself), nothing changes.
     */
    private void quickAck() {
        if (!quickAck) {
            return;
        }
        try {
            socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException e) {
            quickAck = false;
        }
    }

    private SocketTimeoutException timedOut() {
        return new SocketTimeoutException("the reply was not complete within timeout=" + timeoutMillis + " ms");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
