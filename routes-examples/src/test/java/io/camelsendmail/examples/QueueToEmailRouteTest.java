package io.camelsendmail.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class QueueToEmailRouteTest {

    @TempDir
    Path work;

    @Test
    void transientFailuresAreRedeliveredAndTheMessageArrivesOnce() throws Exception {
        // the first two attempts get a temporary refusal, the third is accepted
        AtomicInteger mails = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .dynamic((connection, command) -> command.startsWith("MAIL") && mails.incrementAndGet() <= 2
                        ? "451 4.3.0 try later" : null);
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            app.context().createProducerTemplate().sendBodyAndHeaders("jms:queue:mail.outbox", "queued text",
                    Map.of("To", "bob@example.com", "Subject", "from the queue"));

            await().atMost(Duration.ofSeconds(30)).until(() -> server.messages().size() == 1);
            assertThat(mails.get()).isEqualTo(3);
            // a 451 leaves the connection usable (RSET): the redeliveries reuse it
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.messages().get(0)).contains("Subject: from the queue").contains("queued text");
            ConsumerTemplate consumer = app.context().createConsumerTemplate();
            assertThat(consumer.receive("jms:queue:mail.dlq", 500)).isNull();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> server.messages().size() == 1);
        }
    }

    @Test
    void permanentFailuresGoToTheDeadLetterQueueWithTheError() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT", "550 5.1.1 no such user");
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            app.context().createProducerTemplate().sendBodyAndHeaders("jms:queue:mail.outbox", "undeliverable",
                    Map.of("To", "ghost@example.com"));

            Exchange dead = app.context().createConsumerTemplate().receive("jms:queue:mail.dlq", 20_000);
            assertThat(dead).isNotNull();
            assertThat(dead.getMessage().getBody(String.class)).isEqualTo("undeliverable");
            assertThat(dead.getMessage().getHeader("SendmailErrorCode", Integer.class)).isEqualTo(550);
            assertThat(dead.getMessage().getHeader("SendmailErrorTransient", Boolean.class)).isFalse();
            assertThat(dead.getMessage().getHeader("SendmailError", String.class)).contains("550 5.1.1 no such user");
            assertThat(server.connections()).isEqualTo(1); // a permanent refusal is not retried
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void theYamlNotificationsRouteMailsWithADefaultSubject() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            app.context().createProducerTemplate().sendBodyAndHeader("jms:queue:notifications", "cpu hot",
                    "To", "oncall@example.com");

            await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 1);
            assertThat(app.context().getRoute("notifications-to-email")).isNotNull();
            assertThat(server.commands()).contains("RCPT TO:<oncall@example.com>");
            assertThat(server.messages().get(0)).contains("Subject: Notification").contains("cpu hot");
        }
    }
}
