package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A provider's rate, and its throttling replies as the providers document them, against a scripted server. */
class ProviderLimitsTest {

    private static final String OPTIONS = "?from=alice@example.com&to=bob@example.com";

    @Test
    void rateLimitWithAUnitSpacesTheMessagesBegun() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&rateLimit=600/min")) {
            List<Exchange> sent = sendAtOnce(route, 12);

            assertThat(sent).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(server.messages()).hasSize(12);
            List<Long> ends = server.accepted().stream().map(ScriptedSmtpServer.Accepted::millis).sorted().toList();
            // 600 a minute is one every 100 ms: twelve messages span at least eleven intervals, whatever the machine
            assertThat(ends.get(ends.size() - 1) - ends.get(0)).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void aRateThatIsNotOneIsRefusedAtStartNamingIt() {
        for (String[] bad : new String[][] { { "rateLimit=30 per minute", "rateLimit must be a number of messages per" },
                                             { "rateLimit=0/min", "got '0/min'" },
                                             { "rateLimit=30/min&maxMessagesPerSecond=2", "set one" } }) {
            CamelContext context = new DefaultCamelContext();
            try {
                context.start();
                assertThatThrownBy(() -> context.getEndpoint("sendmail:mail.example.com?" + bad[0]))
                        .satisfies(e -> assertThat(messages(e)).contains(bad[1]));
            } finally {
                context.stop();
            }
        }
    }

    /** Amazon SES after DATA: "454 Throttling failure: Maximum sending rate exceeded"; the message was not taken. */
    @Test
    void sesThrottlingAfterTheDataSendsTheMessageAgainOnce() throws Exception {
        AtomicInteger ends = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")
                .dynamic((connection, command) -> command.equals(ScriptedSmtpServer.END_OF_DATA) && ends.incrementAndGet() <= 2
                        ? "454 Throttling failure: Maximum sending rate exceeded." : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=1")) {
            List<Exchange> sent = sendAtOnce(route, 4);

            assertThat(sent).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(server.bodies()).containsExactlyInAnyOrder("message 0", "message 1", "message 2", "message 3");
        }
    }

    /**
     * A milter that temp-fails every message ("451 4.7.1 Service unavailable - try again later", a policy code, not a
     * rate): no endpoint-wide pause; each message fails transient at once, with the server's words.
     */
    @Test
    void aPolicyTempFailIsNotTakenForARateAndPausesNothing() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")
                .on(ScriptedSmtpServer.END_OF_DATA, "451 4.7.1 Service unavailable - try again later");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=1")) {
            long start = System.nanoTime();
            List<Exchange> sent = sendAtOnce(route, 8);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(sent).allSatisfy(e -> {
                assertThat(e.getException()).isInstanceOf(SmtpDeliveryException.class)
                        .hasMessageContaining("451 4.7.1 Service unavailable");
                assertThat(((SendmailException) e.getException()).isTransient()).isTrue();
            });
            assertThat(millis).isLessThan(5000);
            // each message's data reached the server once: none was sent again by the endpoint
            assertThat(server.wireData()).hasSize(8);
        }
    }

    /**
     * Microsoft 365 past 3 concurrent connections per mailbox: "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit
     * exceeded". The connection that got it retires, its message waits for another, and every message arrives once.
     */
    @Test
    void microsoftsSenderThreadLimitIsALearnedConnectionLimitAndEveryMessageArrivesOnce() throws Exception {
        AtomicReference<ScriptedSmtpServer> self = new AtomicReference<>();
        AtomicInteger refused = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").dynamic((connection, command) -> {
            if (command.startsWith("MAIL FROM") && self.get().openConnections() > 3) {
                refused.incrementAndGet();
                return "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded";
            }
            return null;
        })
                .pauseBefore("MAIL FROM", 20);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=8")) {
            self.set(server);
            List<Exchange> sent = sendAtOnce(route, 40);

            assertThat(sent).allSatisfy(e -> assertThat(e.getException()).isNull());
            assertThat(server.bodies()).hasSize(40).doesNotHaveDuplicates();
            assertThat(refused.get()).as("a fourth connection was refused, so the limit was met").isPositive();
        }
    }

    /**
     * Amazon SES's daily quota, "454 Throttling failure: Daily message quota exceeded", and Gmail's "550 5.4.5 Daily user
     * sending limit exceeded": the message fails transient (even under a 5xx), those waiting fail transient within a
     * second without reaching the server, the health check is DOWN with the server's words, and nothing begins for
     * quotaPause.
     */
    @Test
    void aDailyQuotaFailsWhatWaitsAsTransientAndPausesTheEndpoint() throws Exception {
        for (String quota : new String[] { "454 Throttling failure: Daily message quota exceeded.",
                                           "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending "
                                           + "limits, go to https://support.google.com/a/answer/166852" }) {
            AtomicInteger mails = new AtomicInteger();
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").dynamic((connection, command) ->
                    command.startsWith("MAIL FROM") && mails.incrementAndGet() >= 3 ? quota : null)
                    .pauseBefore("MAIL FROM", 50);
                 SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS
                                                        + "&maxConnections=1&maxInFlight=1")) {
                long start = System.nanoTime();
                List<Exchange> sent = sendAtOnce(route, 10);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                assertThat(sent.stream().filter(e -> e.getException() == null)).as(quota).hasSize(2);
                assertThat(sent.stream().map(Exchange::getException).filter(e -> e != null)).hasSize(8).allSatisfy(e -> {
                    assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("quota");
                    assertThat(((SendmailException) e).isTransient()).as("the quota resets; the message is not at fault")
                            .isTrue();
                });
                assertThat(server.messages()).hasSize(2);
                assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL FROM"))).hasSize(3);
                assertThat(millis).as("the seven waiting fail at once, not after seven 50 ms MAIL FROMs").isLessThan(5000);

                SendmailEndpoint endpoint = route.context().getEndpoints().stream().filter(SendmailEndpoint.class::isInstance)
                        .map(SendmailEndpoint.class::cast).findFirst().orElseThrow();
                HealthCheck.Result health = new SendmailHealthCheck(endpoint, "quota-test").call();
                assertThat(health.getState()).isEqualTo(HealthCheck.State.DOWN);
                assertThat(health.getMessage()).hasValueSatisfying(m -> assertThat(m).contains(quota.substring(4, 30))
                        .contains("quotaPause"));

                Exchange later = route.send("later");
                assertThat(later.getException()).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("no message begins until");
                assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL FROM"))).as("nothing begun").hasSize(3);
            }
        }
    }

    /** The health check's probe takes no connection from the messages: it asks an idle one with NOOP. */
    @Test
    void theProbeAsksAnIdleConnectionWithNoopRatherThanOpeningOne() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&maxConnections=3")) {
            assertThat(route.send("first").getException()).isNull();
            SendmailEndpoint endpoint = route.context().getEndpoints().stream().filter(SendmailEndpoint.class::isInstance)
                    .map(SendmailEndpoint.class::cast).findFirst().orElseThrow();

            assertThat(endpoint.probe()).isTrue();
            assertThat(endpoint.probe()).isTrue();

            assertThat(server.connections()).as("no socket of the probe's own").isEqualTo(1);
            assertThat(server.received().stream().filter(r -> r.line().equals("NOOP"))).hasSize(2)
                    .allSatisfy(r -> assertThat(r.connection()).isEqualTo(1));
            // the connection still carries mail after the probes
            assertThat(route.send("second").getException()).isNull();
            assertThat(server.messages()).hasSize(2);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    private static List<Exchange> sendAtOnce(SendmailRoute route, int count) throws Exception {
        ProducerTemplate template = route.context().createProducerTemplate();
        List<Future<Exchange>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = "message " + i;
            futures.add(template.asyncSend("direct:send", exchange -> exchange.getMessage().setBody(body)));
        }
        List<Exchange> exchanges = new ArrayList<>();
        for (Future<Exchange> future : futures) {
            exchanges.add(future.get(60, TimeUnit.SECONDS));
        }
        return exchanges;
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
