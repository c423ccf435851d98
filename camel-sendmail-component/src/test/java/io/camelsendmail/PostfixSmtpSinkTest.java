package io.camelsendmail;

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
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Against Postfix's own SMTP server code, {@code smtp-sink} (Debian package {@code postfix}, which {@code .ci/run}
 * installs), which offers PIPELINING: pipelined transactions on shared connections deliver every message once, with
 * its envelope. smtp-sink writes each transaction it accepts to a file.
 */
class PostfixSmtpSinkTest {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final Pattern BODY = Pattern.compile("\n\n(message \\d+)\n");

    @TempDir
    Path dump;

    @Test
    void pipelinedMessagesFromFourThreadsEachArriveOnceWithTheirEnvelope() throws Exception {
        assumeThat(Files.isExecutable(SMTP_SINK)).as("smtp-sink (apt-get install postfix)").isTrue();
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(SMTP_SINK.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", dump + "/%M.", "127.0.0.1:" + port, "64"));
        Process sink = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dump.resolve("sink.log").toFile())
                .start();
        try {
            awaitListening(port);
            int messages = 200;
            try (SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + port
                                                        + "?from=alice@example.com&to=bob@example.com,carol@example.com"
                                                        + "&maxConnections=2")) {
                ExecutorService threads = Executors.newFixedThreadPool(4);
                try {
                    List<Future<Exchange>> sent = new ArrayList<>();
                    for (int i = 0; i < messages; i++) {
                        String body = "message " + i;
                        sent.add(threads.submit(() -> route.send(body, Map.of())));
                    }
                    for (Future<Exchange> f : sent) {
                        Exchange exchange = f.get(60, TimeUnit.SECONDS);
                        assertThat(exchange.getException()).isNull();
                        assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(2);
                    }
                } finally {
                    threads.shutdownNow();
                }
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> dumps().size() == messages);
            List<String> transactions = new ArrayList<>();
            for (Path file : dumps()) {
                transactions.add(Files.readString(file));
            }
            assertThat(transactions).allSatisfy(t -> assertThat(t)
                    .contains("X-Mail-Args: <alice@example.com>")
                    .contains("X-Rcpt-Args: <bob@example.com>")
                    .contains("X-Rcpt-Args: <carol@example.com>"));
            Map<String, Long> bodies = transactions.stream().map(PostfixSmtpSinkTest::body)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(bodies).hasSize(messages);
            assertThat(bodies.values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        } finally {
            sink.destroy();
            if (!sink.waitFor(5, TimeUnit.SECONDS)) {
                sink.destroyForcibly();
            }
        }
    }

    private List<Path> dumps() throws IOException {
        try (Stream<Path> files = Files.list(dump)) {
            return files.filter(f -> !f.getFileName().toString().equals("sink.log")).toList();
        }
    }

    private static String body(String transaction) {
        Matcher m = BODY.matcher(transaction.replace("\r\n", "\n"));
        assertThat(m.find()).as("a body in %s", transaction).isTrue();
        return m.group(1);
    }

    private static void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }
}
