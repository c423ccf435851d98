package io.camelsendmail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message that cannot be serialized is an {@link InvalidMessageException} (not transient: a redelivery cannot fix it),
 * found before any connection is borrowed: the pooled connection carries the next message, and the server sees
 * nothing of the bad one.
 */
class UnserializableMessageTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    @Test
    void anUnreadableAttachmentIsAnInvalidMessageAndThePooledConnectionStaysInUse() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("SIZE 10485760", "PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            assertThat(route.send("first").getException()).isNull();

            Exchange exchange = route.context().getEndpoint("direct:send").createExchange();
            AttachmentMessage in = exchange.getIn(AttachmentMessage.class);
            in.setBody("the report is attached");
            in.addAttachment("report.pdf", new DataHandler(new Unreadable()));
            Exception e = route.context().createProducerTemplate().send("direct:send", exchange).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("disk read error");
            assertThat(((SendmailException) e).isTransient()).isFalse();

            assertThat(route.send("third").getException()).isNull();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL"))).hasSize(2);
            assertThat(server.messages()).hasSize(2);
        }
    }

    @Test
    void anUnknownTransferEncodingIsAnInvalidMessageNotAnAuthenticationFailure() throws Exception {
        MimeMessage message = new MimeMessage((Session) null);
        message.setText("hello");
        message.saveChanges();
        message.setHeader("Content-Transfer-Encoding", "x-unknown");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12")).extensions("AUTH PLAIN");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + MAIL
                                                    + "&username=alice&password=s3cret&sslContextParameters=#tls")) {
            assertThat(route.send("first").getException()).isNull();

            Exception e = route.send(message).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("x-unknown");
            assertThat(((SendmailException) e).isTransient()).isFalse();
            assertThat(route.send("third").getException()).isNull();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.commands().stream().filter(c -> c.startsWith("AUTH"))).hasSize(1);
            assertThat(server.messages()).hasSize(2);
        }
    }

    /** An attachment whose bytes cannot be read, as a file on a failing disk. */
    private static final class Unreadable implements DataSource {
        @Override
        public InputStream getInputStream() throws IOException {
            throw new IOException("disk read error");
        }

        @Override
        public OutputStream getOutputStream() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getContentType() {
            return "application/pdf";
        }

        @Override
        public String getName() {
            return "report.pdf";
        }
    }
}
