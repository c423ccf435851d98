package io.camelsendmail;

import java.util.concurrent.atomic.AtomicBoolean;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The AUTH mechanisms, each checked by the server against what the mechanism's RFC says the client sends. */
class SaslMechanismsTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    @Test
    void cramMd5AnswersTheChallengeAsRfc2195sExampleDoesAndIsPreferredOutsideTls() throws Exception {
        // RFC 2195, section 2: user tim, password tanstaaftanstaaf, this challenge, and this answer
        String challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
        String answer = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
        AtomicBoolean challenged = new AtomicBoolean();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN LOGIN CRAM-MD5")
                .dynamic((connection, command) -> {
                    if (command.equals("AUTH CRAM-MD5")) {
                        challenged.set(true);
                        return "334 " + challenge;
                    }
                    if (challenged.getAndSet(false)) {
                        return command.equals(answer) ? "235 2.7.0 authenticated" : "535 5.7.8 wrong answer";
                    }
                    return null;
                });
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&username=tim&password=tanstaaftanstaaf&allowPlaintextAuth=true")) {
            assertThat(route.send("hello").getException()).isNull();

            // outside TLS the password itself never leaves: CRAM-MD5 over PLAIN and LOGIN
            assertThat(server.commands()).contains("AUTH CRAM-MD5", answer).noneMatch(c -> c.startsWith("AUTH PLAIN"));
            assertThat(String.join("\n", server.commands())).doesNotContain("tanstaaf");
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void loginAnswersEachPromptAndPlainSendsOneInitialResponse() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH LOGIN")
                .dynamic((connection, command) -> switch (command) {
                    case "AUTH LOGIN" -> "334 VXNlcm5hbWU6";
                    case "YWxpY2U=" -> "334 UGFzc3dvcmQ6";
                    case "czNjcmV0" -> "235 2.7.0 authenticated";
                    default -> null;
                });
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&username=alice&password=s3cret&allowPlaintextAuth=true")) {
            assertThat(route.send("hello").getException()).isNull();
            assertThat(server.commands()).containsSubsequence("AUTH LOGIN", "YWxpY2U=", "czNjcmV0", "MAIL FROM:<alice@example.com>");
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH LOGIN PLAIN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&username=alice&password=s3cret&allowPlaintextAuth=true")) {
            assertThat(route.send("hello").getException()).isNull();
            // base64 of NUL alice NUL s3cret (RFC 4616)
            assertThat(server.commands()).contains("AUTH PLAIN AGFsaWNlAHMzY3JldA==");
        }
    }
}
