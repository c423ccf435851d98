package io.camelsendmail.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the tests' logger wrote while some work ran. slf4j-simple writes to {@link #LOG} (simplelogger.properties), or
 * to System.err where no log file is configured; both are read.
 */
public final class LogCapture {

    /** The tests' log file, relative to the module. */
    public static final Path LOG = Path.of("target", "test.log");

    /** Work that may throw. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private LogCapture() {
    }

    public static String during(Work work) throws Exception {
        // the logging opens (and empties) target/test.log when first used: before its size is taken, not during the work
        org.slf4j.LoggerFactory.getLogger(LogCapture.class).debug("capturing the log");
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        long start = Files.exists(LOG) ? Files.size(LOG) : 0;
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        String written = "";
        if (Files.exists(LOG)) {
            try (var file = java.nio.channels.FileChannel.open(LOG)) {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) Math.max(0, file.size() - start));
                file.read(bytes, start);
                written = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
            }
        }
        return written + buffer.toString(StandardCharsets.UTF_8);
    }
}
