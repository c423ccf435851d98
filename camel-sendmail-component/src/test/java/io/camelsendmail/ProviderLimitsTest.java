package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
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
