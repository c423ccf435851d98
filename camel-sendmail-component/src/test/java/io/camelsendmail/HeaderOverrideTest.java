package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Exchange headers From, To, Cc, Bcc, Reply-To and Subject override the options for one message; no other header leaks. */
class HeaderOverrideTest {

    @Test
    void exchangeHeadersWinOverOptionsForOneMessage() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=default@example.com&to=default-to@example.com"
                                                    + "&bcc=archive@example.com&subject=default&replyTo=noreply@example.com")) {
            route.send("one", Map.of("From", "Ops <ops@example.com>", "To", List.of("x@example.com", "y@example.com"),
                    "Subject", "override", "Reply-To", "help@example.com"));
            route.send("two");

            MimeMessage first = parse(server.messages().get(0));
            assertThat(first.getHeader("From")[0]).isEqualTo("Ops <ops@example.com>");
            assertThat(first.getHeader("To")[0]).isEqualTo("x@example.com, y@example.com");
            assertThat(first.getSubject()).isEqualTo("override");
            assertThat(first.getHeader("Reply-To")[0]).isEqualTo("help@example.com");
            assertThat(server.commands()).containsSubsequence("MAIL FROM:<ops@example.com>", "RCPT TO:<x@example.com>",
                    "RCPT TO:<y@example.com>", "RCPT TO:<archive@example.com>");

            MimeMessage second = parse(server.messages().get(1));
            assertThat(second.getHeader("From")[0]).isEqualTo("default@example.com");
            assertThat(second.getSubject()).isEqualTo("default");
            assertThat(second.getHeader("Bcc")).isNull();
        }
    }

    @Test
    void otherExchangeHeadersNeverBecomeMailHeaders() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            route.send("hello", Map.of("X-Tenant", "acme", "CamelFileName", "secret.txt", "Authorization", "Bearer abc"));

            String data = server.messages().get(0);
            assertThat(data).doesNotContain("acme").doesNotContain("secret.txt").doesNotContain("Bearer");
        }
    }

    private static MimeMessage parse(String data) throws Exception {
        return new MimeMessage(null, new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)));
    }
}
