package io.camelsendmail;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Twisted's requireAuthentication: no usable AUTH means no MAIL FROM. */
class RequireAuthenticationTest {

    private static final String OPTIONS = "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls"
                                          + "&username=alice&password=s3cret&requireAuthentication=true";

    @Test
    void aServerWithoutAuthIsRefusedBeforeMailFrom() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + OPTIONS)) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(AuthenticationRequiredException.class)
                    .hasMessageContaining("offers no AUTH");
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void aServerWithOnlyUnknownMechanismsIsRefusedWithoutSendingCredentials() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH GSSAPI NTLM");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + OPTIONS)) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(AuthenticationRequiredException.class);
            assertThat(server.sawCommand("AUTH")).isFalse();
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void refusedCredentialsAreAnAuthenticationFailureWithTheServersReply() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN").on("AUTH", "535 5.7.8 Authentication credentials invalid");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + OPTIONS)) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("535");
            SendmailException e = (SendmailException) exchange.getException();
            assertThat(e.getCode()).isEqualTo(535);
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).doesNotContain("s3cret");
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void aTemporaryAuthFailureIsTransient() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN").on("AUTH", "454 4.7.0 Temporary authentication failure");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + OPTIONS)) {
            SendmailException e = (SendmailException) route.send("hello").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class);
            assertThat(e.getCode()).isEqualTo(454);
            assertThat(e.isTransient()).isTrue();
        }
    }
}
