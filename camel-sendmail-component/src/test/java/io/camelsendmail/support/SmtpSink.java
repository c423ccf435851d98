package io.camelsendmail.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Postfix's {@code smtp-sink} (Debian package {@code postfix}, which {@code .ci/run} installs) on a loopback port, writing
 * each transaction it accepts, envelope included ({@code X-Mail-Args}, {@code X-Rcpt-Args}), to a file of its own.
 */
public final class SmtpSink implements AutoCloseable {

    public static final Path PROGRAM = Path.of("/usr/sbin/smtp-sink");

    private final Process process;
    private final Path dump;
    private final int port;

    private SmtpSink(Path dump) throws IOException {
        this.dump = dump;
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(PROGRAM.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", dump + "/%M.", "127.0.0.1:" + port, "64"));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dump.resolve("sink.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(this::listening);
    }

    /** Starts smtp-sink, dumping into {@code dump} (an empty folder). */
    public static SmtpSink start(Path dump) throws IOException {
        return new SmtpSink(dump);
    }

    public int port() {
        return port;
    }

    /** The transactions dumped so far, each as smtp-sink wrote it. */
    public List<String> transactions() throws IOException {
        List<String> transactions = new ArrayList<>();
        try (Stream<Path> files = Files.list(dump)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("sink.log")).toList()) {
                transactions.add(Files.readString(file));
            }
        }
        return transactions;
    }

    private boolean listening() {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
