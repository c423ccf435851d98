package io.camelsendmail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pool's lifecycle and the smaller engine fixes, each against a loopback server. */
class EngineFixesTest {

    private static final String OPTIONS = "?from=alice@example.com&to=bob@example.com";

    private static long sendmailThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().contains("SendmailConnection")).count();
    }

    /** Eight threads send to a URI nobody used yet: one pool, every connection closed when the context stops. */
    @Test
    void eightThreadsFirstUsingAUriAtOnceShareOnePoolThatStopsWithTheContext() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")) {
            long threadsBefore = sendmailThreads();
            CamelContext context = new DefaultCamelContext();
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            String uri = "sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=2";
            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Exchange>> sends = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = "message " + i;
                sends.add(threads.submit(() -> {
                    go.await();
                    return template.send(uri, e -> e.getMessage().setBody(body));
                }));
            }
            go.countDown();
            for (Future<Exchange> send : sends) {
                assertThat(send.get(30, TimeUnit.SECONDS).getException()).isNull();
            }
            threads.shutdown();
            assertThat(server.messages()).hasSize(8);
            // however many endpoint objects Camel made for the URI, the connections are one pool's: at most 2
            assertThat(server.maxOpenConnections()).isLessThanOrEqualTo(2);

            long start = System.nanoTime();
            context.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> sendmailThreads() <= threadsBefore);
        }
    }

    /** With one connection allowed, a message submitted while the health probe holds it is sent once the probe ends. */
    @Test
    void aMessageSubmittedWhileTheProbeHoldsTheOnlySocketIsSentWhenItEnds() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().pauseBefore(ScriptedSmtpServer.GREETING, 400);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=1")) {
            SendmailEndpoint endpoint = route.context().getEndpoints().stream()
                    .filter(SendmailEndpoint.class::isInstance).map(SendmailEndpoint.class::cast).findFirst().orElseThrow();
            AtomicReference<Boolean> probed = new AtomicReference<>();
            Thread probe = new Thread(() -> {
                try {
                    probed.set(endpoint.probe());
                } catch (SendmailException e) {
                    probed.set(false);
                }
            });
            probe.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connections() == 1);
            // the probe is waiting for its greeting: the only socket is the probe's
            Future<Exchange> sent = route.context().createProducerTemplate().asyncSend("direct:send", e -> e.getMessage().setBody("hello"));
            assertThat(sent.get(10, TimeUnit.SECONDS).getException()).isNull();
            probe.join(5000);
            assertThat(probed.get()).isTrue();
            assertThat(server.bodies()).containsExactly("hello");
        }
    }

    /** A second connection that fails to open while the first carries messages fails none of them. */
    @Test
    void aFailedExtraConnectionFailsNoMessageThatAHealthyConnectionCanCarry() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").pauseBefore("MAIL", 30)
                .dynamic((connection, command) -> connection > 1 && command.equals(ScriptedSmtpServer.GREETING)
                        ? "554 5.3.2 scripted.test not now" : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=2")) {
            ProducerTemplate template = route.context().createProducerTemplate();
            List<Future<Exchange>> sends = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "message " + i;
                sends.add(template.asyncSend("direct:send", e -> e.getMessage().setBody(body)));
            }
            for (Future<Exchange> send : sends) {
                assertThat(send.get(30, TimeUnit.SECONDS).getException()).isNull();
            }
            assertThat(server.bodies()).hasSize(6);
            assertThat(server.accepted()).allMatch(a -> a.connection() == 1);
        }
    }

    /**
     * Messages submitted from four threads while the pool closes: each one ends, sent or failed "stopped", none is
     * left queued after the queue was emptied (the closed check and the queue share one lock).
     */
    @Test
    void everyMessageSubmittedWhileThePoolClosesEnds() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")) {
            io.camelsendmail.smtp.SmtpSettings settings = new io.camelsendmail.smtp.SmtpSettings("127.0.0.1", server.port(),
                    false, null, "client.test", null, null, null,
                    new io.camelsendmail.smtp.TransportSecurity(false, false, false, false), 2000, 2000, true, false, false,
                    2, 100, 8, 0, 0, 30_000, 900_000, Executors.newSingleThreadScheduledExecutor());
            ExecutorService threads = Executors.newCachedThreadPool();
            try {
                for (int round = 0; round < 20; round++) {
                    io.camelsendmail.smtp.SmtpConnectionPool pool = new io.camelsendmail.smtp.SmtpConnectionPool(settings,
                            threads, threads, threads);
                    int messages = 4 * 50;
                    CountDownLatch ended = new CountDownLatch(messages);
                    List<Future<?>> submitters = new ArrayList<>();
                    for (int t = 0; t < 4; t++) {
                        submitters.add(threads.submit(() -> {
                            for (int i = 0; i < 50; i++) {
                                pool.submit(new io.camelsendmail.support.TextMessage("t"), (delivery, failure) -> ended.countDown());
                            }
                        }));
                    }
                    Thread.sleep(round % 5);
                    pool.close();
                    for (Future<?> submitter : submitters) {
                        submitter.get(10, TimeUnit.SECONDS);
                    }
                    assertThat(ended.await(20, TimeUnit.SECONDS)).as("round %d: messages left without an outcome: %d", round,
                            ended.getCount()).isTrue();
                }
            } finally {
                threads.shutdownNow();
                settings.writeTimeouts().shutdownNow();
            }
        }
    }

    /** A producer used after its endpoint stopped fails the exchange with a clear error, not a NullPointerException. */
    @Test
    void aSendAfterTheEndpointStoppedFailsCleanly() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS)) {
            SendmailEndpoint endpoint = route.context().getEndpoint("sendmail:127.0.0.1:" + server.port() + OPTIONS,
                    SendmailEndpoint.class);
            SendmailProducer producer = new SendmailProducer(endpoint);
            endpoint.stop();
            Exchange exchange = new DefaultExchange(route.context());
            exchange.getMessage().setBody("hello");
            assertThat(producer.process(exchange, done -> { })).isTrue();
            assertThat(exchange.getException()).isInstanceOf(SmtpConnectException.class).hasMessageContaining("stopped");
            assertThat(server.connections()).isZero();
        }
    }

    /**
     * The final reply as the route sees it in CamelSendmailResponse: an SMTPUTF8 server's reply is UTF-8 and reads as
     * the server wrote it; Exim answers BDAT LAST in two lines, and the response is their text, each line trimmed.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SMTPUTF8 | 250 2.0.0 Nachricht angenommen – Größe geprüft ✓                 | 2.0.0 Nachricht angenommen – Größe geprüft ✓",
            "CHUNKING | 250- 402 byte chunk, total 402\\r\\n250 OK id=1vXyZ-000abc-Q1 | 402 byte chunk, total 402\\nOK id=1vXyZ-000abc-Q1" })
    void theResponseIsTheFinalReplysTextAsTheServerWroteIt(String extension, String reply, String response) throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions(extension)
                .on(ScriptedSmtpServer.END_OF_DATA, reply.replace("\\r\\n", "\r\n"));
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS)) {
            Exchange sent = route.send("hello");
            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.RESPONSE)).isEqualTo(response.replace("\\n", "\n"));
            assertThat(server.messages()).singleElement().asString().contains("hello");
        }
    }

    /** Credentials refused at AUTH: the client says QUIT before it closes (RFC 5321 4.1.1.10). */
    @Test
    void aRefusedSignInEndsWithQuit() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN")
                .on("AUTH", "535 5.7.8 authentication failed");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS
                                                    + "&username=alice&password=wrong&allowPlaintextAuth=true")) {
            assertThat(route.send("hello").getException()).isInstanceOf(AuthenticationFailedException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.sawCommand("QUIT"));
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    /** A complete message addressed to Alice, sent with to=bob in the URI: the envelope wins, and a WARN says so. */
    @Test
    void aCompleteMessageWhoseOwnRecipientsDifferFromTheEnvelopeIsLogged() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS)) {
            byte[] eml = ("From: carol@example.com\r\nTo: Alice <alice@example.com>\r\nSubject: Its own\r\n\r\nHello\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            String log = io.camelsendmail.support.LogCapture.during(() -> assertThat(route.send(eml).getException()).isNull());
            assertThat(server.commands()).contains("RCPT TO:<bob@example.com>").doesNotContain("RCPT TO:<alice@example.com>");
            assertThat(server.messages()).singleElement().asString().contains("To: Alice <alice@example.com>")
                    .contains("Subject: Its own");
            assertThat(log).contains("WARN").contains("addressed to [alice@example.com] is sent to [bob@example.com]");
        }
    }

    /** A route header name or a DSN value with a line break cannot forge a line of the log its error is written to. */
    @Test
    void errorTextsShowLineBreaksEscaped() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("DSN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS)) {
            Exchange badHeader = route.send("hello", Map.of(SendmailConstants.HEADERS, Map.of("X-A\r\nX-Forged", "v")));
            assertThat(badHeader.getException()).isInstanceOf(InvalidMessageException.class);
            assertThat(badHeader.getException().getMessage()).contains("X-A\\r\\nX-Forged").doesNotContain("\r").doesNotContain("\n");

            Exchange badDsn = route.send("hello", Map.of(SendmailConstants.DSN_RET, "FULL\r\nINFO forged"));
            assertThat(badDsn.getException()).isNotNull();
            assertThat(badDsn.getException().getMessage()).contains("FULL\\r\\nINFO forged").doesNotContain("\r").doesNotContain("\n");
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }
}
