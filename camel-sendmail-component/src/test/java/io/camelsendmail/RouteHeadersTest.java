package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any mail header from the route: {@code CamelSendmailHeader.<Name>} exchange headers and the
 * {@code CamelSendmailHeaders} map; no other exchange header reaches the mail.
 */
class RouteHeadersTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com&subject=news";

    @Test
    void prefixedHeadersAndTheMapBecomeMailHeadersAndNothingElseLeaks() throws Exception {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        map.put("X-Campaign", "Grüße 2026");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exchange exchange = route.send("hello", Map.of(
                    "CamelSendmailHeader.List-Unsubscribe", "<https://example.com/u/42>, <mailto:u-42@example.com>",
                    "CamelSendmailHeader.In-Reply-To", "<order-41@example.com>",
                    "CamelSendmailHeader.Message-ID", "<order-42@example.com>",
                    SendmailConstants.HEADERS, map,
                    "X-Internal-Secret", "must not leak",
                    "breadcrumbId", "must not leak either"));

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID)).isEqualTo("<order-42@example.com>");
            MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(
                    server.messages().get(0).getBytes(StandardCharsets.UTF_8)));
            assertThat(received.getHeader("List-Unsubscribe", null)).isEqualTo("<https://example.com/u/42>, <mailto:u-42@example.com>");
            assertThat(received.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
            assertThat(received.getHeader("In-Reply-To", null)).isEqualTo("<order-41@example.com>");
            assertThat(received.getMessageID()).isEqualTo("<order-42@example.com>");
            assertThat(MimeUtility.decodeText(MimeUtility.unfold(received.getHeader("X-Campaign", null)))).isEqualTo("Grüße 2026");
            assertThat(server.messages().get(0)).doesNotContain("must not leak").doesNotContain("X-Internal-Secret");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "Bcc", "Content-Length", "Received", "Return-Path", "From", "Content-Type" })
    void envelopeStructureAndTraceHeadersAreRefusedWithNothingSent(String name) throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exception e = route.send("hello", Map.of("CamelSendmailHeader." + name, "x@example.com")).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("mail header " + name);
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aLineBreakInAValueIsRefused() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exception e = route.send("hello", Map.of("CamelSendmailHeader.X-Tag", "a\r\nBcc: eve@example.com")).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("CR or LF");
            assertThat(server.connections()).isZero();
        }
    }
}
