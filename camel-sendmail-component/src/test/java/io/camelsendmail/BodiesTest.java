package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.activation.DataHandler;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The body as Twisted's msg: a MimeMessage, or a complete RFC 5322 message as bytes, a stream or a file. */
class BodiesTest {

    /** A complete message with bare LF line ends, a Bcc header, and a line that starts with a dot. */
    private static final String RAW = """
            From: Alice <alice@example.com>
            To: bob@example.com
            Cc: carol@example.com
            Bcc: dave@example.com
            Subject: raw message
            Message-ID: <raw-1@example.com>

            first line
            .a line with a leading dot
            last line
            """;

    @TempDir
    Path dir;

    private static String uri(ScriptedSmtpServer server) {
        return "sendmail:127.0.0.1:" + server.port();
    }

    @Test
    void rawBytesTakeTheirEnvelopeFromTheirHeadersAndKeepTheirMessageId() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(); SendmailRoute route = SendmailRoute.to(uri(server))) {
            Exchange exchange = route.send(RAW.getBytes(StandardCharsets.UTF_8));

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(3);
            assertThat(exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID)).isEqualTo("<raw-1@example.com>");
            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>",
                    "RCPT TO:<carol@example.com>", "RCPT TO:<dave@example.com>");
            String data = server.messages().get(0);
            assertThat(data).doesNotContainIgnoringCase("Bcc").contains("Subject: raw message\r\n")
                    .contains("\r\nfirst line\r\n.a line with a leading dot\r\nlast line\r\n")
                    .contains("Message-ID: <raw-1@example.com>");
            assertThat(data.replace("\r\n", "")).doesNotContain("\n");
        }
    }

    @Test
    void rawStreamAndFileAreSentTheSameWay() throws Exception {
        File file = Files.writeString(dir.resolve("message.eml"), RAW).toFile();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(); SendmailRoute route = SendmailRoute.to(uri(server))) {
            assertThat(route.send(new ByteArrayInputStream(RAW.getBytes(StandardCharsets.UTF_8))).getException()).isNull();
            assertThat(route.send(file).getException()).isNull();
            assertThat(server.messages()).hasSize(2);
            // the same bytes but for the Date the component adds at each send (which a second may separate)
            assertThat(withoutDate(server.messages().get(1))).isEqualTo(withoutDate(server.messages().get(0)));
            assertThat(server.messages().get(0)).contains("\r\nDate: ");
        }
        assertThat(file).exists(); // the producer never deletes the caller's file
    }

    /** Text whose first lines look like headers: never turned into headers. */
    private static final String NOTE = "Note: revenue is up 5%\nCosts: flat\n\nDetails follow.\n";

    @Test
    void aFileNotNamedEmlIsTheTextOfANewMessageEvenWhenItLooksLikeHeaders() throws Exception {
        File note = Files.writeString(dir.resolve("q3.txt"), NOTE).toFile();
        File hello = Files.writeString(dir.resolve("hello.txt"), "Hello team,\nall good.\n").toFile();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=reports@example.com&to=team@example.com&subject=Q3")) {
            assertThat(route.send(note).getException()).isNull();
            assertThat(route.send(hello).getException()).isNull();

            assertThat(server.bodies().get(0)).isEqualTo("Note: revenue is up 5%\r\nCosts: flat\r\n\r\nDetails follow.");
            String headerSection = server.messages().get(0).split("\r\n\r\n", 2)[0];
            assertThat(headerSection).contains("Subject: Q3").doesNotContain("Note:", "Costs:");
            assertThat(server.bodies().get(1)).isEqualTo("Hello team,\r\nall good.");
        }
    }

    @Test
    void rawBytesWhoseHeaderSectionHasNoMessageHeaderAreRefusedNotSentAsHeaders() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=reports@example.com&to=team@example.com")) {
            Exchange exchange = route.send(NOTE.getBytes(StandardCharsets.UTF_8));

            assertThat(exchange.getException()).isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("its header section (Note, Costs) has none of From, To, Subject, Date");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aFileThatIsNotTextInTheContentTypesCharsetIsRefusedNamingIt() throws Exception {
        File binary = Files.write(dir.resolve("scan.pdf"), new byte[] { '%', 'P', 'D', 'F', (byte) 0xC3, (byte) 0x28 }).toFile();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=reports@example.com&to=team@example.com")) {
            Exchange exchange = route.send(binary);

            assertThat(exchange.getException()).isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("the file scan.pdf is sent as the text of a message, and it is not UTF-8 text");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void optionsAndHeadersNameTheEnvelopeOfARawMessageWithoutRewritingIt() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=bounces@example.com")) {
            Exchange exchange = route.send(RAW.getBytes(StandardCharsets.UTF_8), Map.of("To", "archive@example.com"));

            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
            assertThat(server.commands()).contains("MAIL FROM:<bounces@example.com>", "RCPT TO:<archive@example.com>")
                    .doesNotContain("RCPT TO:<bob@example.com>");
            assertThat(server.messages().get(0)).contains("From: Alice <alice@example.com>", "To: bob@example.com");
        }
    }

    @Test
    void aMimeMessageWithAnAttachmentIsSentAsBuilt() throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new java.util.Properties()));
        message.setFrom(new InternetAddress("alice@example.com"));
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, "bob@example.com");
        message.setSubject("report");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached", "UTF-8");
        MimeBodyPart pdf = new MimeBodyPart();
        pdf.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[] { 1, 2, 3, 4 }, "application/pdf")));
        pdf.setFileName("report.pdf");
        message.setContent(new MimeMultipart(text, pdf));

        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(); SendmailRoute route = SendmailRoute.to(uri(server))) {
            Exchange exchange = route.send(message);
            assertThat(exchange.getException()).isNull();

            MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(
                    server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(received.getSubject()).isEqualTo("report");
            Multipart parts = (Multipart) received.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContent()).isEqualTo("see attached");
            assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("report.pdf");
            assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).containsExactly(1, 2, 3, 4);
            assertThat(received.getMessageID()).isEqualTo(exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID));
        }
    }

    @Test
    void plainTextAsBytesIsRefusedBecauseItHasNoHeaders() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=alice@example.com&to=bob@example.com")) {
            Exception e = route.send("Hello Bob,\n\nno headers here\n".getBytes(StandardCharsets.UTF_8)).getException();
            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("not an RFC 5322 message")
                    .hasMessageContaining("Hello Bob,");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aBodyOfAnUnknownTypeIsRefusedByName() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=alice@example.com&to=bob@example.com")) {
            Exception e = route.send(List.of(1, 2, 3)).getException();
            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("java.util.");
            assertThat(route.send(null).getException()).isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("no body");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void noRecipientsAnywhereIsRefused() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to(uri(server) + "?from=alice@example.com")) {
            assertThat(route.send("to whom?").getException()).isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("no recipients");
            assertThat(route.send("From: a@example.com\nSubject: x\n\nbody".getBytes(StandardCharsets.UTF_8)).getException())
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("no recipients");
            assertThat(server.connections()).isZero();
        }
    }

    private static String withoutDate(String message) {
        return message.replaceFirst("(?m)^Date: [^\r\n]*\r\n", "");
    }
}
