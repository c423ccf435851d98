package io.camelsendmail;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsendmail.support.CountingSink;
import io.camelsendmail.support.GeneratedMessage;
import io.camelsendmail.support.LargeStreamSend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw message given as an InputStream is sent in bounded memory: 200 MB from a JVM whose heap is 64 MB. The server
 * receives every byte of it, and the temporary file it was spooled to is gone afterwards, after a success and after a
 * refusal alike.
 */
class LargeStreamTest {

    private static final long BODY = 200L << 20;

    @TempDir
    Path tmp;

    @Test
    void twoHundredMegabytesGoFromASixtyFourMegabyteHeapAndLeaveNoTemporaryFile() throws Exception {
        try (CountingSink sink = new CountingSink(2)) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-Djava.io.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                    // its log to the output the test reads, not into target/test.log, which this JVM writes
                    "-Dorg.slf4j.simpleLogger.logFile=System.err",
                    "-cp", classPath(), LargeStreamSend.class.getName(), String.valueOf(sink.port()), String.valueOf(BODY)));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();

            assertThat(output).as(output).contains("SEND 0 OK", "SEND 1 FAILED SmtpDeliveryException", "TEMP FILES 0")
                    .doesNotContain("OutOfMemoryError");
            assertThat(process.exitValue()).isZero();
            assertThat(output).containsPattern("MAX HEAP (\\d+)");
            assertThat(tmp.toFile().list()).isEmpty();

            CountingSink.Body expected = expected();
            assertThat(sink.bodies()).hasSize(2).allSatisfy(body -> {
                assertThat(body.bytes()).isEqualTo(expected.bytes());
                assertThat(body.sha256()).isEqualTo(expected.sha256());
            });
            assertThat(expected.bytes()).isGreaterThanOrEqualTo(BODY);
        }
    }

    /** The body as the server should receive it: the generated lines with CRLF. */
    private static CountingSink.Body expected() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        try (InputStream in = new GeneratedMessage(BODY)) {
            in.skipNBytes(GeneratedMessage.HEADERS.length());
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        digest.update((byte) '\r');
                        bytes++;
                    }
                    digest.update(buffer[i]);
                    bytes++;
                }
            }
        }
        return new CountingSink.Body(bytes, HexFormat.of().formatHex(digest.digest()), true);
    }

    private static String classPath() throws Exception {
        String dependencies = Files.readString(Path.of("target", "test-class-path.txt"), StandardCharsets.UTF_8).trim();
        return String.join(File.pathSeparator, Path.of("target", "test-classes").toAbsolutePath().toString(),
                Path.of("target", "classes").toAbsolutePath().toString(), dependencies);
    }
}
