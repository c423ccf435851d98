package io.camelsendmail;

import java.util.List;
import java.util.Map;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Twisted's first example: plain SMTP, a sender, a list of recipients and a message; the result counts them. */
class PlainSmtpTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private String uri(String options) {
        return "sendmail:127.0.0.1:" + greenMail.getSmtp().getPort() + "?" + options;
    }

    @Test
    void deliversStringBodyToEveryRecipientAndReportsTheirStatuses() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("from=alice@example.com&to=bob@example.com,carol@example.com"
                                                        + "&subject=Hello"))) {
            Exchange exchange = route.send("Hi Bob and Carol\nsee you");

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(2);
            @SuppressWarnings("unchecked")
            List<RecipientStatus> statuses = exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
            assertThat(statuses).extracting(RecipientStatus::address).containsExactly("bob@example.com", "carol@example.com");
            assertThat(statuses).allSatisfy(s -> {
                assertThat(s.code()).isEqualTo(250);
                assertThat(s.accepted()).isTrue();
                assertThat(s.response()).isNotBlank().doesNotStartWith("250");
            });
            assertThat(exchange.getMessage().getHeader(SendmailConstants.RESPONSE, String.class)).isNotBlank();
        }

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(2); // one copy per recipient mailbox
        MimeMessage message = received[0];
        assertThat(message.getSubject()).isEqualTo("Hello");
        assertThat(message.getFrom()[0].toString()).isEqualTo("alice@example.com");
        assertThat(message.getRecipients(RecipientType.TO)).extracting(Object::toString)
                .containsExactly("bob@example.com", "carol@example.com");
        assertThat(message.getContentType()).startsWith("text/plain; charset=UTF-8");
        assertThat(GreenMailUtil.getBody(message)).contains("Hi Bob and Carol");
    }

    @Test
    void messageIdHeaderIsTheOneTheServerReceived() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("from=alice@example.com&to=bob@example.com"))) {
            Exchange exchange = route.send("body");
            String id = exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID, String.class);
            assertThat(id).matches("<[0-9a-f]{32}@example\\.com>");
            assertThat(greenMail.getReceivedMessages()[0].getMessageID()).isEqualTo(id);
        }
    }

    @Test
    void nonAsciiTextAndSubjectArriveIntact() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("from=alice@example.com&to=bob@example.com"))) {
            Exchange exchange = route.send("Grüße, Zoë — 東京", Map.of("Subject", "Überweisung ✓"));
            assertThat(exchange.getException()).isNull();
        }
        MimeMessage message = greenMail.getReceivedMessages()[0];
        assertThat(message.getSubject()).isEqualTo("Überweisung ✓");
        assertThat(message.getContent()).isEqualTo("Grüße, Zoë — 東京");
        assertThat(message.getEncoding()).isIn("quoted-printable", "base64");
    }

    @Test
    void bccRecipientsGetTheMessageButNoBccHeaderIsTransmitted() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("from=alice@example.com&to=bob@example.com"
                                                        + "&cc=carol@example.com&bcc=dave@example.com"))) {
            Exchange exchange = route.send("secret copy");
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(3);
        }
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(3);
        assertThat(greenMail.getUserManager().getUserByEmail("dave@example.com")).isNotNull();
        assertThat(greenMail.getManagers().getImapHostManager()
                .getInbox(greenMail.getUserManager().getUserByEmail("dave@example.com")).getMessageCount()).isEqualTo(1);
        for (MimeMessage m : received) {
            assertThat(m.getHeader("Bcc")).isNull();
            assertThat(GreenMailUtil.getHeaders(m)).doesNotContain("dave@example.com");
            assertThat(m.getRecipients(RecipientType.CC)).extracting(Object::toString).containsExactly("carol@example.com");
        }
    }
}
