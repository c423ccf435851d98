package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import jakarta.activation.DataHandler;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTML body with a plain text alternative, an inline image and a file: the tree mail clients expect,
 * mixed( related( alternative(text, html), image ), file ), parsed from what the server received.
 */
class HtmlMailTest {

    private static final String HTML = "<html><body><p>Grüße, Bob</p><img src=\"cid:logo\"></body></html>";
    private static final String TEXT = "Grüße, Bob";
    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

    @Test
    void htmlWithTextAlternativeInlineImageAndFileHasTheStructureMailClientsExpect() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&subject=report"
                                                    + "&contentType=text/html; charset=UTF-8")) {
            Exchange exchange = route.context().getEndpoint("direct:send").createExchange();
            AttachmentMessage in = exchange.getIn(AttachmentMessage.class);
            in.setBody(HTML);
            in.setHeader(SendmailConstants.ALTERNATIVE_BODY, TEXT);
            DefaultAttachment logo = new DefaultAttachment(new DataHandler(new ByteArrayDataSource(PNG, "image/png")));
            logo.addHeader("Content-ID", "<logo>");
            in.addAttachmentObject("logo.png", logo);
            in.addAttachment("report.csv", new DataHandler(new ByteArrayDataSource("id;total\n1;9.99\n", "text/csv")));
            Exchange result = route.context().createProducerTemplate().send("direct:send", exchange);
            assertThat(result.getException()).isNull();

            MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(received.getContentType()).startsWith("multipart/mixed");
            Multipart mixed = (Multipart) received.getContent();
            assertThat(mixed.getCount()).isEqualTo(2);

            BodyPart relatedPart = mixed.getBodyPart(0);
            assertThat(relatedPart.getContentType()).startsWith("multipart/related");
            // RFC 2387 3.1: the type parameter names the root part's type
            assertThat(new jakarta.mail.internet.ContentType(relatedPart.getContentType()).getParameter("type"))
                    .isEqualTo("multipart/alternative");
            Multipart related = (Multipart) relatedPart.getContent();
            assertThat(related.getCount()).isEqualTo(2);

            Multipart alternative = (Multipart) related.getBodyPart(0).getContent();
            assertThat(related.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
            MimeBodyPart text = (MimeBodyPart) alternative.getBodyPart(0);
            MimeBodyPart html = (MimeBodyPart) alternative.getBodyPart(1);
            // the plain text first, the preferred form last (RFC 2046, 5.1.4)
            assertThat(text.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
            assertThat(text.getContent()).isEqualTo(TEXT);
            assertThat(html.getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");
            assertThat(html.getContent()).isEqualTo(HTML);
            // non-ASCII text is not sent as 8 bits to a server that did not offer 8BITMIME
            assertThat(text.getEncoding()).isEqualTo("quoted-printable");
            assertThat(html.getEncoding()).isEqualTo("quoted-printable");

            MimeBodyPart image = (MimeBodyPart) related.getBodyPart(1);
            assertThat(image.getContentType()).startsWith("image/png");
            assertThat(image.getContentID()).isEqualTo("<logo>");
            assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
            assertThat(image.getEncoding()).isEqualTo("base64");
            assertThat(image.getInputStream().readAllBytes()).isEqualTo(PNG);

            MimeBodyPart file = (MimeBodyPart) mixed.getBodyPart(1);
            assertThat(file.getFileName()).isEqualTo("report.csv");
            assertThat(file.getDisposition()).isEqualTo(Part.ATTACHMENT);
        }
    }

    @Test
    void withInlineImagesAnImageGoesInlineUnderItsNameAndAlternativeAloneHasNoOtherLayer() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&inlineImages=true"
                                                    + "&contentType=text/html&alternativeBody=Read it in HTML.")) {
            assertThat(route.send("<p>plain html</p>").getException()).isNull();

            Exchange exchange = route.context().getEndpoint("direct:send").createExchange();
            AttachmentMessage in = exchange.getIn(AttachmentMessage.class);
            in.setBody("<img src=\"cid:logo.png\">");
            in.addAttachment("logo.png", new DataHandler(new ByteArrayDataSource(PNG, "image/png")));
            assertThat(route.context().createProducerTemplate().send("direct:send", exchange).getException()).isNull();

            MimeMessage first = new MimeMessage(null, new ByteArrayInputStream(server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(first.getContentType()).startsWith("multipart/alternative");
            assertThat(((Multipart) first.getContent()).getBodyPart(0).getContent()).isEqualTo("Read it in HTML.");

            MimeMessage second = new MimeMessage(null, new ByteArrayInputStream(server.messages().get(1).getBytes(StandardCharsets.UTF_8)));
            assertThat(second.getContentType()).startsWith("multipart/related");
            MimeBodyPart image = (MimeBodyPart) ((Multipart) second.getContent()).getBodyPart(1);
            assertThat(image.getContentID()).isEqualTo("<logo.png>");
            assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
        }
    }
}
