package io.camelsendmail;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The producer health check, as Camel Main and Spring Boot's actuator call it: UP while the server answers and takes the
 * sign-in, DOWN when it stops or refuses, UP again when it returns; no mail sent, and the server asked at most once per
 * healthCheckInterval.
 */
class HealthCheckTest {

    private static CamelContext context(int port, String options) throws Exception {
        CamelContext context = new DefaultCamelContext();
        // what Camel Main does with camel.health.enabled=true (the default there)
        HealthCheckRegistry registry = new DefaultHealthCheckRegistry();
        registry.setCamelContext(context);
        context.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, registry);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").to("sendmail:127.0.0.1:" + port + "?from=alice@example.com&to=bob@example.com"
                                       + "&username=alice&password=secret&allowPlaintextAuth=true" + options);
            }
        });
        context.start();
        // and camel.health.producers-enabled=true: producer checks are off by default in Camel
        HealthCheckHelper.getHealthCheckRepository(context, "producers").setEnabled(true);
        return context;
    }

    private static Optional<HealthCheck.Result> sendmailCheck(CamelContext context) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(context);
        return results.stream().filter(r -> r.getCheck().getId().startsWith("producer:sendmail-")).findFirst();
    }

    @Test
    void upThenDownWhenTheServerStopsThenUpWhenItReturnsWithoutSendingMail() throws Exception {
        ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN");
        int port = server.port();
        CamelContext context = context(port, "&healthCheckInterval=300");
        try {
            HealthCheck.Result up = sendmailCheck(context).orElseThrow();
            assertThat(up.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(up.getCheck().getId()).isEqualTo("producer:sendmail-127.0.0.1:" + port);
            assertThat(up.getMessage().orElse("")).contains("accepted the sign-in; no mail was sent");
            assertThat(server.commands()).anyMatch(c -> c.startsWith("EHLO")).anyMatch(c -> c.startsWith("AUTH"))
                    .contains("QUIT").noneMatch(c -> c.startsWith("MAIL"));

            // called again within the interval: the server is not asked again
            for (int i = 0; i < 5; i++) {
                assertThat(sendmailCheck(context).orElseThrow().getState()).isEqualTo(HealthCheck.State.UP);
            }
            assertThat(server.connections()).isEqualTo(1);

            server.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> sendmailCheck(context).orElseThrow().getState() == HealthCheck.State.DOWN);
            HealthCheck.Result down = sendmailCheck(context).orElseThrow();
            assertThat(down.getMessage().orElse("")).contains("127.0.0.1:" + port);
            assertThat(down.getDetails()).containsEntry("failure", "SmtpConnectException").containsEntry("transient", true);

            server = ScriptedSmtpServer.startOn(port).extensions("AUTH PLAIN");
            ScriptedSmtpServer back = server;
            await().atMost(Duration.ofSeconds(10)).until(() -> sendmailCheck(context).orElseThrow().getState() == HealthCheck.State.UP);
            assertThat(back.sawCommand("MAIL")).isFalse();
        } finally {
            context.stop();
            server.close();
        }
    }

    @Test
    void aRefusedSignInIsDownWithTheServersReply() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN")
                .on("AUTH", "535 5.7.8 authentication failed")) {
            CamelContext context = context(server.port(), "");
            try {
                HealthCheck.Result result = sendmailCheck(context).orElseThrow();
                assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
                assertThat(result.getMessage().orElse("")).contains("535 5.7.8 authentication failed");
                assertThat(result.getDetails()).containsEntry("failure", "AuthenticationFailedException").containsEntry("code", 535);
                assertThat(server.sawCommand("MAIL")).isFalse();
            } finally {
                context.stop();
            }
        }
    }

    @Test
    void whileMessagesAreAcceptedTheServerIsNotAskedAgain() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN")) {
            CamelContext context = context(server.port(), "");
            try {
                context.createProducerTemplate().sendBody("direct:send", "hello");
                int connections = server.connections();
                HealthCheck.Result result = sendmailCheck(context).orElseThrow();
                assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
                assertThat(result.getMessage().orElse("")).startsWith("the server accepted a message");
                assertThat(server.connections()).isEqualTo(connections);
            } finally {
                context.stop();
            }
        }
    }
}
