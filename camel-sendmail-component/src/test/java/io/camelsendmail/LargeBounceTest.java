package io.camelsendmail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsendmail.support.LargeBounceRead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounce that returns a 50 MB message is read in bounded memory: from a JVM whose heap is 32 MB, from a stream and
 * from a file, and the temporary file a large stream was spooled to is gone afterwards.
 */
class LargeBounceTest {

    private static final long RETURNED = 50L << 20;

    @TempDir
    Path tmp;

    @Test
    void aBounceReturningFiftyMegabytesIsReadFromAThirtyTwoMegabyteHeap() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-Djava.io.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-Dorg.slf4j.simpleLogger.logFile=System.err",
                "-cp", classPath(), LargeBounceRead.class.getName(), String.valueOf(RETURNED)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(output).as(output).contains("STREAM big@example.org 5.3.4 <big-1@shop.example>",
                "FILE big@example.org 5.3.4 <big-1@shop.example>").doesNotContain("OutOfMemoryError");
        assertThat(output).containsPattern("FILE SIZE (\\d{8})");
        assertThat(process.exitValue()).isZero();
        assertThat(tmp.toFile().list()).as("temporary files left").isEmpty();
    }

    private static String classPath() throws Exception {
        String dependencies = Files.readString(Path.of("target", "test-class-path.txt"), StandardCharsets.UTF_8).trim();
        return String.join(File.pathSeparator, Path.of("target", "test-classes").toAbsolutePath().toString(),
                Path.of("target", "classes").toAbsolutePath().toString(), dependencies);
    }
}
