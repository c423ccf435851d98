package io.camelsendmail.examples;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The order-shipped event becomes an HTML mail with a text alternative and the logo inline, from the templates. */
class TemplatedMailRouteTest {

    private static final String ORDER = """
            {"orderId": "A-7", "name": "Dan <b>& co</b>", "email": "dan@example.com", "carrier": "UPS",
             "tracking": "1Z 999", "items": [{"name": "Tent", "quantity": 1}, {"name": "Pegs", "quantity": 12}]}""";

    @TempDir
    Path work;

    @Test
    void anOrderEventIsMailedAsHtmlWithItsTextAlternativeAndTheLogoInline() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            app.context().createProducerTemplate().sendBody("jms:queue:orders.shipped", ORDER);

            await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 1);
            assertThat(server.commands()).contains("RCPT TO:<dan@example.com>");
            MimeMessage mail = new MimeMessage(null, new ByteArrayInputStream(server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(mail.getSubject()).isEqualTo("Your order A-7 has shipped");

            // related( alternative(text, html), logo )
            Multipart related = (Multipart) mail.getContent();
            assertThat(mail.getContentType()).startsWith("multipart/related");
            Multipart alternative = (Multipart) related.getBodyPart(0).getContent();
            String text = (String) alternative.getBodyPart(0).getContent();
            String html = (String) alternative.getBodyPart(1).getContent();
            assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
            assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
            // the HTML template escapes what the event says; the text one does not need to
            assertThat(html).contains("Hello Dan &lt;b&gt;&amp; co&lt;/b&gt;,").contains("<strong>A-7</strong>")
                    .contains("<td>Pegs</td><td align=\"right\">12</td>")
                    .contains("https://tracking.example.com/1Z%20999").contains("src=\"cid:logo\"");
            assertThat(text).contains("Hello Dan <b>& co</b>,").contains("12 x Pegs").contains("with UPS");
            MimeBodyPart logo = (MimeBodyPart) related.getBodyPart(1);
            assertThat(logo.getContentID()).isEqualTo("<logo>");
            assertThat(logo.getDisposition()).isEqualTo(Part.INLINE);
            assertThat(logo.getInputStream().readAllBytes()).startsWith(0x89, 'P', 'N', 'G');
        }
    }

    @Test
    void anEventWithoutAValueTheTemplateNeedsIsDeadLetteredAndNothingIsSent() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            String noItems = "{\"orderId\": \"A-8\", \"name\": \"Eve\", \"email\": \"eve@example.com\", \"carrier\": \"UPS\", \"tracking\": \"1Z\"}";
            app.context().createProducerTemplate().sendBody("jms:queue:orders.shipped", noItems);

            Exchange dead = app.context().createConsumerTemplate().receive("jms:queue:mail.dlq", 20_000);
            assertThat(dead).isNotNull();
            assertThat(dead.getMessage().getBody(String.class)).isEqualTo(noItems);
            assertThat(dead.getMessage().getHeader("SendmailErrorType", String.class)).isEqualTo("InvalidMessageException");
            assertThat(dead.getMessage().getHeader("SendmailError", String.class))
                    .contains("order-shipped.html.ftlh").contains("items");
            assertThat(server.connections()).isZero();
        }
    }
}
