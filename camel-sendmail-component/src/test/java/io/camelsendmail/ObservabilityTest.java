package io.camelsendmail;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.console.DevConsole;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a known run (two messages accepted, one recipient of them refused, one message refused by the server, one
 * invalid), the same figures in JMX, in the dev console, and in Micrometer.
 */
class ObservabilityTest {

    @Test
    void theFiguresOfAKnownRunInJmxTheDevConsoleAndMicrometer() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .dynamic((connection, command) -> command.startsWith("RCPT TO:<ghost@") ? "550 5.1.1 no such user"
                        : command.startsWith("MAIL FROM:<spammer@") ? "554 5.7.1 rejected" : null)) {
            CamelContext context = new DefaultCamelContext();
            context.getCamelContextExtension().setName("observed");
            MeterRegistry meters = new SimpleMeterRegistry();
            // where camel-micrometer puts its registry
            context.getRegistry().bind("metricsRegistry", meters);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:send").to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com");
                }
            });
            context.start();
            try {
                ProducerTemplate template = context.createProducerTemplate();
                assertThat(template.send("direct:send", e -> body(e, "one", "bob@example.com", null)).getException()).isNull();
                assertThat(template.send("direct:send", e -> body(e, "two", "bob@example.com,ghost@example.com", null))
                        .getException()).isNull();
                assertThat(template.send("direct:send", e -> body(e, "three", "bob@example.com", "spammer@example.com"))
                        .getException()).isInstanceOf(SmtpDeliveryException.class);
                assertThat(template.send("direct:send", e -> body(e, "four", "not an address", null)).getException())
                        .isInstanceOf(InvalidMessageException.class);

                Map<String, Object> expected = Map.of("MessagesSent", 2L, "MessagesFailed", 2L, "RecipientsAccepted", 2L,
                        "RecipientsRefused", 1L, "FailedDelivery", 1L, "FailedInvalidMessage", 1L, "FailedConnect", 0L,
                        "ConnectionsOpened", 1L, "ConnectionsOpen", 1, "ConnectionsBusy", 0);

                // JMX: the endpoint's MBean
                MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
                Set<ObjectName> names = mbeans.queryNames(new ObjectName("org.apache.camel:context=observed,type=endpoints,*"), null);
                ObjectName endpoint = names.stream().filter(n -> n.toString().contains("sendmail")).findFirst().orElseThrow();
                // named by the endpoint's own URI, intact: not sendmail://127.0.0.1:xxxxxx@example.com
                assertThat(endpoint.getKeyProperty("name")).isEqualTo(
                        ObjectName.quote("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com"));
                for (Map.Entry<String, Object> figure : expected.entrySet()) {
                    assertThat(mbeans.getAttribute(endpoint, figure.getKey())).as(figure.getKey()).isEqualTo(figure.getValue());
                }

                // the dev console, found by name as Camel's tooling finds it
                DevConsole console = PluginHelper.getDevConsoleResolver(context).resolveDevConsole("sendmail");
                assertThat(console).isNotNull();
                @SuppressWarnings("unchecked")
                Map<String, Object> json = (Map<String, Object>) console.call(DevConsole.MediaType.JSON);
                @SuppressWarnings("unchecked")
                Map<String, Object> first = ((java.util.List<Map<String, Object>>) json.get("endpoints")).get(0);
                for (Map.Entry<String, Object> figure : expected.entrySet()) {
                    String key = Character.toLowerCase(figure.getKey().charAt(0)) + figure.getKey().substring(1);
                    assertThat(((Number) first.get(key)).longValue()).as(key).isEqualTo(((Number) figure.getValue()).longValue());
                }
                assertThat((String) console.call(DevConsole.MediaType.TEXT)).contains("messagesSent: 2");

                // Micrometer
                String server127 = "127.0.0.1:" + server.port();
                assertThat(meters.get("camel.sendmail.messages.sent").tag("server", server127).functionCounter().count()).isEqualTo(2);
                assertThat(meters.get("camel.sendmail.messages.failed").tag("kind", "delivery").functionCounter().count()).isEqualTo(1);
                assertThat(meters.get("camel.sendmail.messages.failed").tag("kind", "invalid_message").functionCounter().count())
                        .isEqualTo(1);
                assertThat(meters.get("camel.sendmail.recipients").tag("result", "refused").functionCounter().count()).isEqualTo(1);
                assertThat(meters.get("camel.sendmail.connections").tag("state", "idle").gauge().value()).isEqualTo(1);

                // and what the server saw agrees: two messages
                assertThat(server.messages()).hasSize(2);
            } finally {
                context.stop();
            }
            // the meters go with the endpoint
            assertThat(meters.find("camel.sendmail.messages.sent").meters()).isEmpty();
        }
    }

    private static void body(Exchange exchange, String text, String to, String from) {
        exchange.getMessage().setBody(text);
        exchange.getMessage().setHeader("To", to);
        if (from != null) {
            exchange.getMessage().setHeader("From", from);
        }
    }
}
