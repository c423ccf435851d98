package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import jakarta.activation.DataHandler;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A String body with Camel attachments is sent as multipart/mixed, the text first. */
class CamelAttachmentsTest {

    @Test
    void attachmentsFollowTheText() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&subject=invoice")) {
            Exchange exchange = route.context().getEndpoint("direct:send").createExchange();
            AttachmentMessage in = exchange.getIn(AttachmentMessage.class);
            in.setBody("Your invoice is attached.");
            in.addAttachment("invoice.csv", new DataHandler(
                    new ByteArrayDataSource("id,amount\n1,9.99\n", "text/csv")));
            in.addAttachment("logo.png", new DataHandler(new ByteArrayDataSource(new byte[] { (byte) 0x89, 'P', 'N', 'G' },
                    "image/png")));
            Exchange result = route.context().createProducerTemplate().send("direct:send", exchange);
            assertThat(result.getException()).isNull();

            MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(
                    server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(received.getContentType()).startsWith("multipart/mixed");
            Multipart parts = (Multipart) received.getContent();
            assertThat(parts.getCount()).isEqualTo(3);
            assertThat(parts.getBodyPart(0).getContent()).isEqualTo("Your invoice is attached.");
            assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain; charset=UTF-8");
            assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("invoice.csv");
            assertThat(parts.getBodyPart(1).getDisposition()).isEqualTo(Part.ATTACHMENT);
            assertThat(new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("id,amount\r\n1,9.99\r\n");
            assertThat(parts.getBodyPart(2).getFileName()).isEqualTo("logo.png");
            assertThat(parts.getBodyPart(2).getInputStream().readAllBytes()).containsExactly(0x89, 'P', 'N', 'G');
        }
    }
}
