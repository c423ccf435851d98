package io.camelsendmail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The endpoint keeps connections open between messages, and never loses or doubles a message because of it. */
class SmtpConnectionPoolTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    private static String uri(ScriptedSmtpServer server, String options) {
        return "sendmail:127.0.0.1:" + server.port() + MAIL + options;
    }

    @Test
    void oneConnectionCarriesSequentialMessagesWithOneEhlo() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            for (int i = 0; i < 10; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            assertThat(server.messages()).hasSize(10);
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.commands().stream().filter(c -> c.startsWith("EHLO"))).hasSize(1);
        }
    }

    @Test
    void aConnectionIsReplacedWithQuitAfterMaxMessagesPerConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, "&maxMessagesPerConnection=3"))) {
            for (int i = 0; i < 10; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            assertThat(server.messages()).hasSize(10);
            Map<Integer, Long> mails = mailsPerConnection(server);
            assertThat(mails.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(3L));
            assertThat(server.connections()).isGreaterThanOrEqualTo(4);
            // a connection that carried three messages was ended with QUIT at once (by the endpoint's closing thread)
            await().atMost(Duration.ofSeconds(5)).until(() -> quitsPerConnection(server).size() >= 3);
            Map<Integer, Long> quits = quitsPerConnection(server);
            mails.forEach((connection, count) -> {
                if (count == 3) {
                    assertThat(quits).containsEntry(connection, 1L);
                }
            });
        }
    }

    @Test
    void aSecondConnectionIsOpenedInTheBackgroundHalfwayThroughTheFirstsLife() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, "&maxMessagesPerConnection=4"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            // the third message was the first of connection 1's second half: connection 2 opens, before it is needed
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.received().stream().anyMatch(r -> r.connection() == 2));
            assertThat(server.received().stream().filter(r -> r.connection() == 2).map(r -> r.line()))
                    .singleElement().asString().startsWith("EHLO");

            for (int i = 3; i < 8; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            assertThat(server.messages()).hasSize(8);
            assertThat(mailsPerConnection(server).values()).allSatisfy(mails -> assertThat(mails).isLessThanOrEqualTo(4L));
            assertThat(server.maxOpenConnections()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void atALowMessageRateTheReplacementIsNotOpenedOnlyToBeEvictedUnused() throws Exception {
        // ten messages a second, connections of ten messages, evicted after 400 ms unused: a replacement opened at half
        // a connection's life would sit idle 500 ms, be evicted, and be opened again at the next message
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, "&maxMessagesPerConnection=10&idleTimeout=400"))) {
            for (int i = 0; i < 30; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
                Thread.sleep(100);
            }
            Map<Integer, Long> mails = mailsPerConnection(server);
            System.out.printf("30 messages at 10/s: %d connections opened, %d of them carried no message%n",
                    server.connections(), server.connections() - mails.size());
            assertThat(server.messages()).hasSize(30);
            // every connection opened carried messages, but the last: it opened for the 31st message, which never came
            for (int connection = 1; connection < server.connections(); connection++) {
                assertThat(mails).containsKey(connection);
            }
            assertThat(server.connections()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void aUsedUpConnectionSaysQuitOffTheRouteThread() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().pauseBefore("QUIT", 5000);
             SendmailRoute route = SendmailRoute.to(uri(server, "&maxMessagesPerConnection=1"))) {
            long started = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertThat(route.send("message " + i).getException()).isNull();
            }
            // each connection's QUIT waits on a server that takes 5 s to answer it; the route did not wait for any
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> quitsPerConnection(server).size() >= 2);
            assertThat(server.messages()).hasSize(3);
        }
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterIdleTimeout() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, "&idleTimeout=300"))) {
            assertThat(route.send("first").getException()).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            assertThat(server.sawCommand("QUIT")).isTrue();

            assertThat(route.send("second").getException()).isNull();
            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.messages()).hasSize(2);
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedTransparently() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            assertThat(route.send("first").getException()).isNull();
            server.dropConnections(null);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);

            Exchange second = route.send("second");

            assertThat(second.getException()).isNull();
            assertThat(second.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.bodies()).containsExactly("first", "second");
        }
    }

    @Test
    void a421OnAnIdleConnectionIsReplacedTransparently() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            assertThat(route.send("first").getException()).isNull();
            server.dropConnections("421 4.4.2 scripted.test idle too long, closing");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);

            assertThat(route.send("second").getException()).isNull();
            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.bodies()).containsExactly("first", "second");
        }
    }

    @Test
    void a421ToMailFromOnAReusedConnectionIsRetriedOnceOnAFreshOne() throws Exception {
        // connection 1 takes one message, then answers the next MAIL FROM with 421
        int[] mails = new int[1];
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .dynamic((connection, command) -> connection == 1 && command.startsWith("MAIL") && ++mails[0] == 2
                        ? "421 4.3.2 scripted.test shutting down" : null);
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            assertThat(route.send("first").getException()).isNull();
            assertThat(route.send("second").getException()).isNull();

            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.bodies()).containsExactly("first", "second");
        }
    }

    @Test
    void aFailureAfterTheDataIsReportedNotRetried() throws Exception {
        int[] ends = new int[1];
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .dynamic((connection, command) -> ScriptedSmtpServer.END_OF_DATA.equals(command) && ++ends[0] == 2
                        ? ScriptedSmtpServer.CLOSE : null);
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            assertThat(route.send("first").getException()).isNull();

            SendmailException e = (SendmailException) route.send("second").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("may have accepted it");
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getStep()).isEqualTo("DATA_END");
            // the second message's data reached the server once, on the reused connection, and was not sent again
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL"))).hasSize(2);

            // the broken connection is gone; the next message gets a new one
            assertThat(route.send("third").getException()).isNull();
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void aConnectionLostAfterMailFromWasAcceptedIsReportedNotRetried() throws Exception {
        int[] rcpts = new int[1];
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .dynamic((connection, command) -> command.startsWith("RCPT") && ++rcpts[0] == 2
                        ? ScriptedSmtpServer.CLOSE : null);
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            assertThat(route.send("first").getException()).isNull();

            SendmailException e = (SendmailException) route.send("second").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class);
            assertThat(e.getStep()).isEqualTo("RCPT");
            // transient: no data was sent, so the route's redelivery may send it again
            assertThat(e.isTransient()).isTrue();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.bodies()).containsExactly("first");
        }
    }

    @Test
    void aServerRestartMidRunLosesNothing() throws Exception {
        ScriptedSmtpServer first = ScriptedSmtpServer.start();
        int port = first.port();
        try (SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + port + MAIL + "&maxConnections=2")) {
            for (int i = 0; i < 5; i++) {
                assertThat(route.send("before " + i).getException()).isNull();
            }
            first.close();

            // while the server is down: a transient failure, not a silent loss
            SendmailException down = (SendmailException) route.send("while down").getException();
            assertThat(down).isInstanceOf(SmtpConnectException.class);
            assertThat(down.isTransient()).isTrue();

            try (ScriptedSmtpServer second = ScriptedSmtpServer.startOn(port)) {
                for (int i = 0; i < 5; i++) {
                    assertThat(route.send("after " + i).getException()).isNull();
                }
                assertThat(first.bodies()).containsExactly("before 0", "before 1", "before 2", "before 3", "before 4");
                assertThat(second.bodies()).containsExactly("after 0", "after 1", "after 2", "after 3", "after 4");
                assertThat(second.connections()).isEqualTo(1);
            }
        } finally {
            first.close();
        }
    }

    @Test
    void stoppingTheContextQuitsEveryConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            SendmailRoute route = SendmailRoute.to(uri(server, "&maxConnections=4"));
            sendConcurrently(route, 4, 40);
            int opened = server.connections();
            assertThat(server.openConnections()).isPositive();

            route.close();

            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            assertThat(quitsPerConnection(server)).hasSize(opened).allSatisfy((connection, quits) -> assertThat(quits).isEqualTo(1));
            assertThat(server.messages()).hasSize(40);
        }
    }

    @Test
    void startingAndStoppingContextsManyTimesLeaksNoThreadsOrSockets() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            // warm up once: class loading and JVM-wide threads are not leaks
            try (SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
                sendConcurrently(route, 2, 4);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("SendmailWriteTimeout", "commons-pool-evictor") == 0);
            int baseline = Thread.activeCount();

            for (int i = 0; i < 30; i++) {
                try (SendmailRoute route = SendmailRoute.to(uri(server, "&maxConnections=2"))) {
                    sendConcurrently(route, 2, 4);
                }
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("SendmailWriteTimeout", "commons-pool-evictor") == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> Thread.activeCount() <= baseline + 2);
            assertThat(server.messages()).hasSize(4 + 30 * 4);
            assertThat(quitsPerConnection(server).values()).allSatisfy(quits -> assertThat(quits).isEqualTo(1));
            assertThat(quitsPerConnection(server)).hasSize(server.connections());
        }
    }

    @Test
    void eightThreadsShareTheConnectionsAndEveryMessageArrivesExactlyOnce() throws Exception {
        int messages = 3000;
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            List<Exchange> results = sendConcurrently(route, 8, messages);

            assertThat(results).allSatisfy(e -> assertThat(e.getException()).isNull());
            Map<String, Long> received = server.bodies().stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(received).hasSize(messages);
            assertThat(received.values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
            // four connections at most (maxConnections), each replaced after 100 messages
            assertThat(server.maxOpenConnections()).isLessThanOrEqualTo(4);
            assertThat(server.connections()).isBetween(messages / 100, messages / 100 + 8);
        }
    }

    /** Sends {@code count} messages "message N" from {@code threads} threads and returns the exchanges. */
    private static List<Exchange> sendConcurrently(SendmailRoute route, int threads, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Exchange>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "message " + i;
                futures.add(pool.submit(() -> route.send(body, new HashMap<>())));
            }
            List<Exchange> exchanges = new ArrayList<>();
            for (Future<Exchange> f : futures) {
                Exchange exchange = f.get(60, TimeUnit.SECONDS);
                assertThat(exchange.getException()).isNull();
                exchanges.add(exchange);
            }
            return exchanges;
        } finally {
            pool.shutdownNow();
        }
    }


    private static Map<Integer, Long> mailsPerConnection(ScriptedSmtpServer server) {
        return server.received().stream().filter(r -> r.line().startsWith("MAIL"))
                .collect(Collectors.groupingBy(ScriptedSmtpServer.Received::connection, Collectors.counting()));
    }

    private static Map<Integer, Long> quitsPerConnection(ScriptedSmtpServer server) {
        return server.received().stream().filter(r -> r.line().equals("QUIT"))
                .collect(Collectors.groupingBy(ScriptedSmtpServer.Received::connection, Collectors.counting()));
    }

    private static long threadsNamed(String... prefixes) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> java.util.Arrays.stream(prefixes).anyMatch(p -> t.getName().contains(p)))
                .count();
    }
}
