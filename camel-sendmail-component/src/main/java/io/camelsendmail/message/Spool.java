package io.camelsendmail.message;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A message's bytes: in memory up to {@link #IN_MEMORY_MAX}, in a temporary file beyond, so that a message of any size
 * is sent in bounded memory. The file is deleted on {@link #close()}.
 * <p>
 * Camel's own {@code CachedOutputStream} spools only where the context's stream caching enables spooling, which it
 * does not by default; a mail of hundreds of megabytes must not depend on that setting.
 */
final class Spool extends OutputStream implements AutoCloseable {

    /** The largest message held in memory, and sent as one BDAT chunk where the server offers CHUNKING. */
    static final int IN_MEMORY_MAX = 1 << 20;

    private byte[] bytes = new byte[8192];
    private int count;
    private long size;
    private Path file;
    private OutputStream fileOutput;
    /** Bytes that go before the file's (a signature header computed once the rest was written). */
    private byte[] prefix = new byte[0];

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            append(b, off, len);
        } catch (IOException e) {
            throw new Failure(e);
        }
    }

    /** The spool's own failure (the temporary file), as opposed to one reading the message. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        Failure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** @return whether the failure, or one of its causes, is the spool's own */
    static boolean isFailure(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof Failure) {
                return true;
            }
        }
        return false;
    }

    private void append(byte[] b, int off, int len) throws IOException {
        if (fileOutput == null && count + len > IN_MEMORY_MAX) {
            file = Files.createTempFile("camel-sendmail-", ".eml");
            fileOutput = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            fileOutput.write(bytes, 0, count);
            bytes = null;
        }
        if (fileOutput != null) {
            fileOutput.write(b, off, len);
        } else {
            if (count + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(IN_MEMORY_MAX, Math.max(bytes.length * 2, count + len)));
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }
        size += len;
    }

    /** Ends writing: the file, if any, is complete. */
    void finish() throws IOException {
        if (fileOutput != null) {
            fileOutput.close();
        } else if (bytes.length != count) {
            bytes = Arrays.copyOf(bytes, count);
        }
    }

    /** Puts bytes before those written, after {@link #finish()}. */
    void prepend(byte[] first) {
        if (file == null) {
            byte[] joined = Arrays.copyOf(first, first.length + count);
            System.arraycopy(bytes, 0, joined, first.length, count);
            bytes = joined;
            count = joined.length;
        } else {
            byte[] joined = Arrays.copyOf(first, first.length + prefix.length);
            System.arraycopy(prefix, 0, joined, first.length, prefix.length);
            prefix = joined;
        }
        size += first.length;
    }

    long size() {
        return size;
    }

    /** @return the bytes when held in memory, else null */
    byte[] bytes() {
        return file == null ? bytes : null;
    }

    void writeTo(OutputStream out) throws IOException {
        if (file == null) {
            out.write(bytes, 0, count);
        } else {
            out.write(prefix);
            Files.copy(file, out);
        }
    }

    /** Deletes the temporary file, if there is one. */
    @Override
    public void close() {
        try {
            if (fileOutput != null) {
                fileOutput.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary file " + file, e);
        }
    }
}
