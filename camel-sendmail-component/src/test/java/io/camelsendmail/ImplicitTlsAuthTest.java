package io.camelsendmail;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** ESMTP with AUTH over implicit TLS (SMTPS, Twisted has none), against GreenMail's SMTPS server. */
class ImplicitTlsAuthTest {

    private static Thread.UncaughtExceptionHandler previous;

    /** GreenMail's connection thread dies with the refused handshakes these tests cause: that is logged, not printed. */
    @org.junit.jupiter.api.BeforeAll
    static void logServerThreadsThatDie() {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> org.slf4j.LoggerFactory.getLogger(ImplicitTlsAuthTest.class)
                .info("the test server's thread {} ended: {}", thread.getName(), e.toString()));
    }

    @org.junit.jupiter.api.AfterAll
    static void restore() {
        Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTPS.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alice@example.com", "alice", "s3cret"));

    private String uri(String options) {
        return "sendmail:localhost:" + greenMail.getSmtps().getPort()
               + "?implicitTls=true&sslContextParameters=#tls&from=alice@example.com&to=bob@example.com&" + options;
    }

    @Test
    void authenticatesAndDeliversOverImplicitTls() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("username=alice&password=s3cret&requireAuthentication=true"
                                                        + "&requireTransportSecurity=true&subject=smtps"))) {
            Exchange exchange = route.send("over implicit TLS");
            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
        }
        MimeMessage received = greenMail.getReceivedMessages()[0];
        assertThat(received.getSubject()).isEqualTo("smtps");
        assertThat(GreenMailUtil.getBody(received)).isEqualTo("over implicit TLS");
    }

    @Test
    void wrongPasswordIsAnAuthenticationFailureAndNothingIsDelivered() throws Exception {
        try (SendmailRoute route = SendmailRoute.to(uri("username=alice&password=wrong"))) {
            SendmailException e = (SendmailException) route.send("nope").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class);
            assertThat(e.getCode()).isEqualTo(535);
            assertThat(e.getMessage()).doesNotContain("wrong");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void withoutTheTestTrustTheServerCertificateIsRefused() throws Exception {
        String noTrust = "sendmail:localhost:" + greenMail.getSmtps().getPort()
                         + "?implicitTls=true&from=alice@example.com&to=bob@example.com";
        try (SendmailRoute route = SendmailRoute.to(noTrust)) {
            assertThat(route.send("untrusted").getException()).isInstanceOf(TransportSecurityRequiredException.class)
                    .hasMessageContaining("certificate");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aCertificateForAnotherHostIsRefusedBeforeAnyCommand() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withImplicitTls(TestTls.server("wrong-host.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?implicitTls=true&sslContextParameters=#tls"
                                                    + "&from=alice@example.com&to=bob@example.com")) {
            assertThat(route.send("hello").getException()).isInstanceOf(TransportSecurityRequiredException.class);
            assertThat(server.commands()).isEmpty();
        }
    }
}
