package io.camelsendmail;

import java.io.IOException;
import java.time.Duration;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The commonest mistakes with TLS ports say what to set, and port 465 without implicitTls does not wait a minute. */
class TlsPortMistakesTest {

    private static final String OPTIONS = "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls";

    @Test
    void port465WithoutImplicitTlsFailsWithinSecondsNamingImplicitTls() throws Exception {
        ScriptedSmtpServer server;
        try {
            // a server on 465 that waits for a TLS handshake, as an SMTPS server does, says nothing to plain text
            server = ScriptedSmtpServer.startOn(465).on(ScriptedSmtpServer.GREETING, ScriptedSmtpServer.SILENT);
        } catch (IOException e) {
            Assumptions.abort("port 465 cannot be bound here (needs root and a free port): " + e);
            return;
        }
        try (server; SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:465" + OPTIONS)) {
            long start = System.nanoTime();
            Exchange sent = route.send("hello");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(sent.getException()).isInstanceOf(SmtpConnectException.class)
                    .hasMessageContaining("set implicitTls=true").hasMessageContaining("port 465");
            assertThat(((SendmailException) sent.getException()).isTransient()).isFalse();
            // not the default 60 s timeout
            assertThat(took).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void aTlsServerAnsweredInPlainTextSuggestsImplicitTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withImplicitTls(TestTls.server("server.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&timeout=500")) {
            Exchange sent = route.send("hello");
            assertThat(sent.getException()).isInstanceOf(SmtpConnectException.class)
                    .hasMessageContaining("timed out at the server's greeting").hasMessageContaining("set implicitTls=true");
        }
    }

    @Test
    void implicitTlsAgainstAPlainServerSaysItAnsweredInPlainText() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + OPTIONS + "&implicitTls=true")) {
            Exchange sent = route.send("hello");
            assertThat(sent.getException()).isInstanceOf(TransportSecurityRequiredException.class)
                    .hasMessageContaining("answered in plain text").hasMessageContaining("set implicitTls=false")
                    .hasMessageNotContaining("check the server certificate");
            assertThat(server.sawCommand("EHLO")).isFalse();
        }
    }
}
