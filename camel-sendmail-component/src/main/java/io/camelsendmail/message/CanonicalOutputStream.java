package io.camelsendmail.message;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Canonical line ends (RFC 5322): a bare LF or a bare CR becomes CRLF, so that a message read with Unix line ends goes
 * on the wire as SMTP requires. {@link #endLine()} ends an unfinished last line.
 */
final class CanonicalOutputStream extends FilterOutputStream {

    private static final byte[] CRLF = { '\r', '\n' };

    private boolean lastWasCr;
    private boolean atLineStart = true;

    CanonicalOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int from = off;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c == '\n') {
                if (!lastWasCr) {
                    // a bare LF: what came before it, then CRLF in its place
                    out.write(b, from, i - from);
                    out.write(CRLF);
                    from = i + 1;
                }
                lastWasCr = false;
            } else {
                if (lastWasCr) {
                    // a bare CR: the LF it lacks goes right after it
                    out.write(b, from, i - from);
                    out.write('\n');
                    from = i;
                }
                lastWasCr = c == '\r';
            }
        }
        out.write(b, from, end - from);
        if (len > 0) {
            atLineStart = b[end - 1] == '\n';
        }
    }

    /** Completes a bare CR at the very end, and ends the last line if it has no line break. */
    void endLine() throws IOException {
        if (lastWasCr) {
            out.write('\n');
            lastWasCr = false;
            atLineStart = true;
        } else if (!atLineStart) {
            out.write(CRLF);
            atLineStart = true;
        }
    }
}
