package io.camelsendmail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.ScriptedSmtpServer.Received;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several transactions in flight on one connection (RFC 2920 with RFC 3030): each message keeps its own statuses and
 * its own outcome, and nothing is sent twice when the connection fails mid-window.
 */
class InFlightTest {

    private static final String ONE_CONNECTION = "?from=alice@example.com&to=bob@example.com&maxConnections=1";
    @Test
    void withPipeliningEachMessageGoesWithTheNextEnvelopeInOneWrite() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").pauseBefore("MAIL", 20);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 6, i -> "message " + i, i -> Map.of());

            assertThat(exchanges).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(server.bodies()).containsExactlyInAnyOrderElementsOf(bodiesOf(6));
            assertThat(server.connections()).isEqualTo(1);
            // after the first, a message's MAIL FROM had arrived with the end of the message before it
            List<Received> mails = server.received().stream().filter(r -> r.line().startsWith("MAIL")).toList();
            assertThat(mails.subList(1, mails.size())).anyMatch(Received::batched);
            assertThat(server.commands()).doesNotContain("BDAT");
        }
    }

    @Test
    void withChunkingTooWholeTransactionsAreInFlightTogether() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 20);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 8, i -> "message " + i, i -> Map.of());

            assertThat(exchanges).allSatisfy(e -> {
                assertThat(e.getException()).isNull();
                assertThat(e.getMessage().getHeader(SendmailConstants.STATUSES, List.class))
                        .containsExactly(new RecipientStatus("bob@example.com", 250, "2.1.5 recipient ok"));
            });
            assertThat(server.bodies()).containsExactlyInAnyOrderElementsOf(bodiesOf(8));
            assertThat(server.commands()).noneMatch(c -> c.equals("DATA"));
            // a transaction's MAIL FROM arrived while the one before it was still unanswered
            List<Received> mails = server.received().stream().filter(r -> r.line().startsWith("MAIL")).toList();
            assertThat(mails.subList(1, mails.size())).anyMatch(Received::batched);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aConnectionDroppedWithTransactionsInFlightFailsTheSentOnesAndSendsTheRestOnce() throws Exception {
        AtomicInteger mails = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 20)
                .dynamic((connection, command) -> connection == 1 && command.startsWith("MAIL") && mails.incrementAndGet() == 3
                        ? ScriptedSmtpServer.CLOSE : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION + "&maxInFlight=3")) {
            List<Exchange> exchanges = sendAtOnce(route, 6, i -> "message " + i, i -> Map.of());

            List<String> failed = new ArrayList<>();
            for (int i = 0; i < exchanges.size(); i++) {
                Exception e = exchanges.get(i).getException();
                if (e != null) {
                    // its BDAT LAST and data had been written: the server may have it, so it is not sent again
                    assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("may have accepted it");
                    assertThat(((SendmailException) e).isTransient()).isFalse();
                    assertThat(((SendmailException) e).getStep()).isEqualTo("DATA_END");
                    failed.add("message " + i);
                }
            }
            assertThat(failed).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            List<String> delivered = server.bodies();
            // a failed one may have arrived (the server can take it and lose the connection before its reply); nothing
            // arrived twice, and every other message arrived once
            assertThat(delivered).doesNotHaveDuplicates();
            List<String> others = new ArrayList<>(bodiesOf(6));
            others.removeAll(failed);
            assertThat(delivered).containsAll(others);
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void aRefusedRecipientOfOneMessageDoesNotTouchTheNext() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING")
                .pauseBefore("MAIL", 20).on("RCPT TO:<nobody", "550 5.1.1 nobody here");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 8, i -> "message " + i,
                    i -> Map.of("To", i % 2 == 0 ? "nobody@example.com" : "bob@example.com"));

            for (int i = 0; i < exchanges.size(); i++) {
                Exchange exchange = exchanges.get(i);
                if (i % 2 == 0) {
                    assertThat(exchange.getException()).isInstanceOf(SmtpDeliveryException.class)
                            .hasMessageContaining("every recipient").hasMessageContaining("550 5.1.1 nobody here");
                    assertThat(((SendmailException) exchange.getException()).getStatuses())
                            .containsExactly(new RecipientStatus("nobody@example.com", 550, "5.1.1 nobody here"));
                } else {
                    assertThat(exchange.getException()).isNull();
                    assertThat(exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class))
                            .containsExactly(new RecipientStatus("bob@example.com", 250, "2.1.5 recipient ok"));
                }
            }
            assertThat(server.bodies()).containsExactlyInAnyOrder("message 1", "message 3", "message 5", "message 7");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void a421MidWindowFailsThatMessageAndSendsTheRestOnANewConnection() throws Exception {
        AtomicInteger mails = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 20)
                .dynamic((connection, command) -> connection == 1 && command.startsWith("MAIL") && mails.incrementAndGet() == 2
                        ? "421 4.3.2 scripted.test shutting down" : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 6, i -> "message " + i, i -> Map.of());

            // the message whose MAIL FROM got the 421 was not taken: sent again on a fresh connection where this one was
            // reused, else a transient failure for the route to redeliver; never a failure that says it may have arrived
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < exchanges.size(); i++) {
                Exception e = exchanges.get(i).getException();
                if (e != null) {
                    assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("421 4.3.2");
                    assertThat(((SendmailException) e).isTransient()).isTrue();
                    failed.add("message " + i);
                }
            }
            assertThat(failed).hasSizeLessThanOrEqualTo(1);
            // after a 421 the server took nothing more: the rest went once, on a new connection
            List<String> others = new ArrayList<>(bodiesOf(6));
            others.removeAll(failed);
            assertThat(server.bodies()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(others);
            assertThat(server.connections()).isEqualTo(2);
            // two MAIL FROM on the first connection (the second answered 421), then one for each message still to send
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL"))).hasSize(2 + 5 - failed.size());
        }
    }

    @Test
    void aConnectionAtItsLastMessageWritesQuitWithItSoThatClosingCostsNoRoundTrip() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&maxConnections=1"
                                                    + "&maxMessagesPerConnection=3")) {
            for (int i = 1; i <= 4; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            assertThat(server.messages()).hasSize(4);
            List<Received> first = server.received().stream().filter(r -> r.connection() == 1).toList();
            // the third message's chunk and QUIT reached the server together, before it answered the chunk
            int bdat = first.stream().filter(r -> r.line().startsWith("BDAT")).toList().size();
            assertThat(bdat).isEqualTo(3);
            List<String> lines = first.stream().map(Received::line).toList();
            assertThat(lines.get(lines.size() - 1)).isEqualTo("QUIT");
            assertThat(first.get(first.size() - 1).batched()).as("QUIT pipelined behind the last chunk").isTrue();
            assertThat(lines.stream().filter("QUIT"::equals).count()).isEqualTo(1);
            // the fourth message went on a connection of its own, which closes with a QUIT of its own when idle
            assertThat(server.received().stream().filter(r -> r.connection() == 2 && r.line().startsWith("BDAT")).count())
                    .isEqualTo(1);
        }
    }

    @Test
    void withoutPipeliningQuitWaitsForTheLastReply() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&maxConnections=1"
                                                    + "&maxMessagesPerConnection=2")) {
            for (int i = 1; i <= 2; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            List<Received> first = awaitQuit(server, 1);
            assertThat(first.get(first.size() - 1).line()).isEqualTo("QUIT");
            assertThat(first.get(first.size() - 1).batched()).isFalse();
        }
    }

    /** The lines of a connection once its QUIT came (closing happens off the route's thread). */
    private static List<Received> awaitQuit(ScriptedSmtpServer server, int connection) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            List<Received> lines = server.received().stream().filter(r -> r.connection() == connection).toList();
            if (!lines.isEmpty() && lines.get(lines.size() - 1).line().equals("QUIT")) {
                return lines;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no QUIT on connection " + connection + ": " + server.received());
    }

    @Test
    void eightThreadsSendTwoThousandMessagesEachOverOnePipelinedConnection() throws Exception {
        int perThread = 2000;
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING")
                .on("RCPT TO:<nobody", "550 5.1.1 nobody here");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&maxConnections=1&maxMessagesPerConnection=100000")) {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            Map<String, Exchange> results = new ConcurrentHashMap<>();
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    work.add(threads.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            int n = thread * perThread + i;
                            String to = "r" + n + "@example.com" + (n % 500 == 0 ? ",nobody@example.com" : "");
                            results.put("message " + n, route.send("message " + n, Map.of("To", to)));
                        }
                    }));
                }
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            int messages = 8 * perThread;
            assertThat(results).hasSize(messages);
            results.forEach((body, exchange) -> {
                int n = Integer.parseInt(body.substring("message ".length()));
                assertThat(exchange.getException()).as(body).isNull();
                List<RecipientStatus> expected = new ArrayList<>();
                expected.add(new RecipientStatus("r" + n + "@example.com", 250, "2.1.5 recipient ok"));
                if (n % 500 == 0) {
                    expected.add(new RecipientStatus("nobody@example.com", 550, "5.1.1 nobody here"));
                }
                assertThat(exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class)).as(body)
                        .containsExactlyElementsOf(expected);
            });
            Map<String, Long> received = server.bodies().stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(received).hasSize(messages);
            assertThat(received.values()).allMatch(count -> count == 1L);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aServerSayingTooFastSlowsTheEndpointDownAndNoMessageFails() throws Exception {
        List<Long> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")
                .dynamic((connection, command) -> {
                    if (!command.startsWith("MAIL")) {
                        return null;
                    }
                    long now = System.nanoTime();
                    long lastSecond = accepted.stream().filter(t -> now - t < TimeUnit.SECONDS.toNanos(1)).count();
                    if (lastSecond >= 5) {
                        refusals.incrementAndGet();
                        return "451 4.7.1 rate limit exceeded, slow down";
                    }
                    accepted.add(now);
                    return null;
                });
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 12, i -> "message " + i, i -> Map.of());

            assertThat(exchanges).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(server.bodies()).containsExactlyInAnyOrderElementsOf(bodiesOf(12));
            assertThat(refusals.get()).isPositive();
            // paused after a refusal rather than trying every message against the limit
            assertThat(refusals.get()).isLessThan(12);
        }
    }

    @Test
    void maxMessagesPerSecondSpacesTheMessages() throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")
                .dynamic((connection, command) -> {
                    if (command.startsWith("MAIL")) {
                        arrivals.add(System.nanoTime());
                    }
                    return null;
                });
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&maxMessagesPerSecond=20")) {
            List<Exchange> exchanges = sendAtOnce(route, 10, i -> "message " + i, i -> Map.of());

            assertThat(exchanges).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(arrivals).hasSize(10);
            // ten messages at twenty a second: nine intervals of 50 ms at least, whatever the machine's speed
            long spread = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow()
                          - arrivals.stream().mapToLong(Long::longValue).min().orElseThrow();
            assertThat(TimeUnit.NANOSECONDS.toMillis(spread)).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void aServerThatAllowsOneConnectionGetsEveryMessageThroughIt() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().limitConnections(1);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<Exchange>> sends = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    String body = "message " + i;
                    sends.add(threads.submit(() -> route.send(body)));
                }
                for (Future<Exchange> send : sends) {
                    assertThat(send.get(60, TimeUnit.SECONDS).getException()).isNull();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(server.bodies()).containsExactlyInAnyOrderElementsOf(bodiesOf(200));
            // a second connection was tried and refused at the greeting; the messages waited for the first
            assertThat(server.connections()).isGreaterThan(1);
        }
    }

    /** Hands {@code count} messages to the route at once, asynchronously, and waits for every exchange. */
    private static List<Exchange> sendAtOnce(SendmailRoute route, int count, Function<Integer, String> body,
                                             Function<Integer, Map<String, Object>> headers) throws Exception {
        ProducerTemplate template = route.context().createProducerTemplate();
        List<Future<Exchange>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            futures.add(template.asyncSend("direct:send", exchange -> {
                exchange.getMessage().setBody(body.apply(n));
                exchange.getMessage().setHeaders(new HashMap<>(headers.apply(n)));
            }));
        }
        List<Exchange> exchanges = new ArrayList<>();
        for (Future<Exchange> future : futures) {
            exchanges.add(future.get(60, TimeUnit.SECONDS));
        }
        return exchanges;
    }

    private static List<String> bodiesOf(int count) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            bodies.add("message " + i);
        }
        return bodies;
    }
}
