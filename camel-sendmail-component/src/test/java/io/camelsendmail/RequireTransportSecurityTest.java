package io.camelsendmail;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Twisted's requireTransportSecurity: with it, nothing after EHLO leaves outside TLS. */
class RequireTransportSecurityTest {

    @Test
    void withoutStarttlsTheServerNeverSeesMailFrom() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&requireTransportSecurity=true")) {
            Exchange exchange = route.send("must not travel in clear");

            assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class)
                    .hasMessageContaining("did not offer STARTTLS").hasMessageContaining("requireTransportSecurity");
            assertThat(((SendmailException) exchange.getException()).isTransient()).isFalse();
            assertThat(server.commands()).allMatch(c -> c.startsWith("EHLO") || c.startsWith("QUIT"));
            assertThat(server.sawCommand("MAIL")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void withStarttlsTheMessageIsSentInsideTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&requireTransportSecurity=true&sslContextParameters=#tls")) {
            assertThat(route.send("inside TLS").getException()).isNull();
            assertThat(server.messages()).singleElement().asString().contains("inside TLS");
            assertThat(server.received()).filteredOn(r -> !r.tls())
                    .allMatch(r -> r.line().startsWith("EHLO") || r.line().equals("STARTTLS"));
        }
    }

    @Test
    void credentialsAreNeverSentOutsideTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN LOGIN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret")) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class)
                    .hasMessageContaining("credentials are never sent outside TLS");
            assertThat(server.sawCommand("AUTH")).isFalse();
            assertThat(server.sawCommand("MAIL")).isFalse();
            assertThat(String.join("\n", server.commands())).doesNotContain("s3cret");
        }
    }

    @Test
    void credentialsWithoutAuthOfferedStillRequireTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret")) {
            assertThat(route.send("hello").getException()).isInstanceOf(TransportSecurityRequiredException.class);
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void allowPlaintextAuthLetsCredentialsGoInTheClear() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret&allowPlaintextAuth=true")) {
            assertThat(route.send("hello").getException()).isNull();
            assertThat(server.sawCommand("AUTH PLAIN")).isTrue();
            assertThat(server.messages()).hasSize(1);
        }
    }
}
