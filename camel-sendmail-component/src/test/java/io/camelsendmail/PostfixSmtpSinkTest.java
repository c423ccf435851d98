package io.camelsendmail;

import java.nio.file.Files;
import java.nio.file.Path;
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

import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.SmtpSink;
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

    private static final Pattern BODY = Pattern.compile("\n\n(message \\d+)\n");

    @TempDir
    Path dump;

    @Test
    void pipelinedMessagesFromFourThreadsEachArriveOnceWithTheirEnvelope() throws Exception {
        assumeThat(Files.isExecutable(SmtpSink.PROGRAM)).as("smtp-sink (apt-get install postfix)").isTrue();
        try (SmtpSink sink = SmtpSink.start(dump)) {
            int messages = 200;
            try (SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + sink.port()
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

            await().atMost(Duration.ofSeconds(20)).until(() -> sink.transactions().size() == messages);
            List<String> transactions = sink.transactions();
            assertThat(transactions).allSatisfy(t -> assertThat(t)
                    .contains("X-Mail-Args: <alice@example.com>")
                    .contains("X-Rcpt-Args: <bob@example.com>")
                    .contains("X-Rcpt-Args: <carol@example.com>"));
            Map<String, Long> bodies = transactions.stream().map(PostfixSmtpSinkTest::body)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(bodies).hasSize(messages);
            assertThat(bodies.values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        }
    }

    private static String body(String transaction) {
        Matcher m = BODY.matcher(transaction.replace("\r\n", "\n"));
        assertThat(m.find()).as("a body in %s", transaction).isTrue();
        return m.group(1);
    }
}
