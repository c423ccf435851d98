package io.camelsendmail;


import io.camelsendmail.support.LogCapture;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** wireLog=true logs every command and reply at INFO, and never a secret: AUTH payloads are masked. */
class WireLogTest {

    private static final String CREDENTIALS = "&username=alice&password=s3cret&sslContextParameters=#tls&wireLog=true";

    @Test
    void theConversationIsLoggedWithTheAuthPayloadsMasked() throws Exception {
        String log = LogCapture.during(() -> {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12")).extensions("AUTH PLAIN");
                 SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                        + "?from=alice@example.com&to=bob@example.com" + CREDENTIALS)) {
                assertThat(route.send("hello").getException()).isNull();
                assertThat(server.commands()).contains("AUTH PLAIN AGFsaWNlAHMzY3JldA==");
            }
        });
        assertThat(log).contains("S: 220", "C: EHLO", "C: STARTTLS", "C: AUTH PLAIN ***", "S: 235 2.7.0 authenticated",
                "C: MAIL FROM:<alice@example.com>", "C: RCPT TO:<bob@example.com>", "C: DATA", "bytes of message data>",
                "S: 250 2.0.0 queued", "C: QUIT");
        assertThat(log).doesNotContain("s3cret", "AGFsaWNlAHMzY3JldA==", "hello");
    }

    @Test
    void loginsAnswersAreMaskedToo() throws Exception {
        String log = LogCapture.during(() -> {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12")).extensions("AUTH LOGIN")
                    .dynamic((connection, command) -> switch (command) {
                        case "AUTH LOGIN" -> "334 VXNlcm5hbWU6";
                        case "YWxpY2U=" -> "334 UGFzc3dvcmQ6";
                        case "czNjcmV0" -> "235 2.7.0 authenticated";
                        default -> null;
                    });
                 SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                        + "?from=alice@example.com&to=bob@example.com" + CREDENTIALS)) {
                assertThat(route.send("hello").getException()).isNull();
            }
        });
        assertThat(log).contains("C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: ***", "S: 235");
        assertThat(log).doesNotContain("s3cret", "czNjcmV0", "YWxpY2U=");
    }

    @Test
    void withoutWireLogNothingOfTheConversationIsLogged() throws Exception {
        String log = LogCapture.during(() -> {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
                 SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                        + "?from=alice@example.com&to=bob@example.com")) {
                assertThat(route.send("hello").getException()).isNull();
                assertThat(server.messages()).hasSize(1);
            }
        });
        assertThat(log).doesNotContain("C: MAIL", "S: 250");
    }

    @Test
    void aRefusedRecipientIsLoggedAtWarnOncePerMessage() throws Exception {
        String log = LogCapture.during(() -> {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT TO:<carol", "550 5.1.1 carol unknown");
                 SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                        + "?from=alice@example.com&to=bob@example.com,carol@example.com")) {
                assertThat(route.send("first").getException()).isNull();
                assertThat(route.send("second").getException()).isNull();
                assertThat(server.messages()).hasSize(2);
            }
        });
        assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains("refused 1 of 2 recipients"))
                .filter(l -> l.contains("carol@example.com 550 5.1.1 carol unknown"))).hasSize(2);
    }
}
