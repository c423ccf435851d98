package io.camelsendmail.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * DATA's transparency (RFC 5321, 4.5.2): a line that starts with a dot gets one more. The bytes written must already
 * have CRLF line ends; runs without a line-leading dot pass through in one write.
 */
final class DotStuffingOutputStream extends FilterOutputStream {

    private boolean atLineStart = true;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '.' && atLineStart) {
            out.write('.');
        }
        out.write(b);
        atLineStart = b == '\n';
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int from = off;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c == '.' && atLineStart) {
                // the run up to and including this dot, then the dot again
                out.write(b, from, i + 1 - from);
                from = i;
            }
            atLineStart = c == '\n';
        }
        out.write(b, from, end - from);
    }
}
