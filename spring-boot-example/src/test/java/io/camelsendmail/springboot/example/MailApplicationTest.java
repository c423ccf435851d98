package io.camelsendmail.springboot.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.camelsendmail.SendmailComponent;
import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example application as Spring Boot runs it: the starter configures the component from
 * camel.component.sendmail.*, a mail reaches a loopback SMTP server, and the actuator shows the sendmail: health check
 * (UP, DOWN when the server stops, UP when it returns) and the metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = { "spring.main.banner-mode=off", "logging.level.root=warn",
                               // the test gives credentials in plain text, and stops the server on purpose
                               "logging.level.org.apache.camel.spring.boot=error" })
class MailApplicationTest {

    private static ScriptedSmtpServer smtp = start(0);
    private static final int SMTP_PORT = smtp.port();

    @LocalServerPort
    int httpPort;
    @Autowired
    ProducerTemplate template;
    @Autowired
    CamelContext camel;

    private static ScriptedSmtpServer start(int port) {
        try {
            return (port == 0 ? ScriptedSmtpServer.start() : ScriptedSmtpServer.startOn(port)).extensions("AUTH PLAIN");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mail.host", () -> "127.0.0.1:" + SMTP_PORT);
        // as the README says: Camel placeholders, resolved by Camel, so that its security policy sees no plain secret
        registry.add("smtp.username", () -> "app");
        registry.add("smtp.password", () -> "secret");
        registry.add("camel.component.sendmail.username", () -> "{{smtp.username}}");
        registry.add("camel.component.sendmail.password", () -> "{{smtp.password}}");
        // the test server has no TLS: allowed here only
        registry.add("camel.component.sendmail.require-transport-security", () -> "false");
        registry.add("camel.component.sendmail.allow-plaintext-auth", () -> "true");
        registry.add("camel.component.sendmail.health-check-interval", () -> "200");
    }

    @AfterAll
    static void stopServer() {
        smtp.close();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /**
     * Waits as a deployment's readiness probe would: the routes' consumers report DOWN until they have polled once
     * (the file consumer's first poll comes about a second after the start, sooner or later with the machine), so
     * nothing about the health is asserted before it first says 200.
     */
    private void awaitReady() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/actuator/health").startsWith("200 "));
    }

    @Test
    void theStarterConfiguresTheComponentAndTheActuatorShowsHealthAndMetrics() throws Exception {
        awaitReady();
        SendmailComponent component = camel.getComponent("sendmail", SendmailComponent.class);
        assertThat(component.getConfiguration().getMaxConnections()).isEqualTo(2);
        assertThat(component.getConfiguration().getFrom()).isEqualTo("Notifications <notifications@example.com>");

        Exchange sent = template.request("direct:notify", e -> {
            e.getMessage().setBody("Your report is ready.");
            e.getMessage().setHeader("To", "bob@example.com");
            e.getMessage().setHeader("Subject", "Report");
        });
        assertThat(sent.getException()).isNull();
        // the placeholders were resolved: the server saw app and secret
        assertThat(smtp.commands()).contains("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                "\0app\0secret".getBytes(java.nio.charset.StandardCharsets.UTF_8))).contains("RCPT TO:<bob@example.com>");
        assertThat(smtp.messages()).singleElement().asString()
                .contains("From: Notifications <notifications@example.com>").contains("Your report is ready.");

        String check = "producer:sendmail-127.0.0.1:" + SMTP_PORT;
        assertThat(get("/actuator/health")).startsWith("200 ").contains("\"" + check + "\":\"UP\"");

        assertThat(get("/actuator/metrics/camel.sendmail.messages.sent")).startsWith("200 ").contains("\"value\":1.0");

        smtp.close();
        // each route's producer has a check of its own (this one, and a "-2"): wait for this one, not for any 503
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/actuator/health").contains("\"" + check + "\":\"DOWN\""));
        assertThat(get("/actuator/health")).startsWith("503 ").contains("SmtpConnectException");

        smtp = start(SMTP_PORT);
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/actuator/health").startsWith("200 "));
        assertThat(get("/actuator/health")).contains("\"" + check + "\":\"UP\"");
        // the check signs in, and sends no mail
        assertThat(smtp.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN"));
        assertThat(smtp.sawCommand("MAIL")).isFalse();
    }
}
