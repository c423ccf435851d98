package io.camelsendmail;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.UsernamePasswordValidator;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.server.SMTPServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against a real ESMTP server (SubEthaSMTP) that requires STARTTLS and AUTH before MAIL FROM, with AUTH PLAIN and,
 * where it offers only that, AUTH LOGIN.
 */
class SubEthaSmtpStartTlsTest {

    record Arrived(String from, String to, String data, String user) {
    }

    private final List<Arrived> arrived = new CopyOnWriteArrayList<>();
    private SMTPServer server;

    private static final UsernamePasswordValidator ALICE = (user, password, context) -> {
        if (!"alice".equals(user) || !"s3cret".equals(password)) {
            throw new LoginFailedException();
        }
    };

    private int start(AuthenticationHandlerFactory auth) {
        server = SMTPServer.port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName("localhost")
                .enableTLS().requireTLS()
                .startTlsSocketFactory(TestTls.server("server.p12"))
                .authenticationHandlerFactory(auth).requireAuth()
                // requireTLS and requireAuth: the server refuses MAIL FROM before STARTTLS and AUTH
                .messageHandler((context, from, to, data) -> arrived.add(new Arrived(from, to,
                        new String(data, StandardCharsets.UTF_8),
                        context.getAuthenticationHandler().map(h -> String.valueOf(h.getIdentity())).orElse(null))))
                .build();
        server.start();
        return server.getPortAllocated();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void authPlainAfterStarttls() throws Exception {
        int port = start(new EasyAuthenticationHandlerFactory(ALICE));
        try (SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + port + "?sslContextParameters=#tls"
                                                    + "&from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret&requireTransportSecurity=true")) {
            Exchange exchange = route.send("through SubEthaSMTP");
            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
        }
        assertThat(arrived).singleElement().satisfies(a -> {
            assertThat(a.to()).isEqualTo("bob@example.com");
            assertThat(a.from()).isEqualTo("alice@example.com");
            assertThat(a.user()).isEqualTo("alice");
            assertThat(a.data()).contains("through SubEthaSMTP");
        });
    }

    @Test
    void authLoginWhenThatIsAllTheServerOffers() throws Exception {
        int port = start(new LoginAuthenticationHandlerFactory(ALICE));
        try (SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + port + "?sslContextParameters=#tls"
                                                    + "&from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret")) {
            assertThat(route.send("login").getException()).isNull();
        }
        assertThat(arrived).singleElement().satisfies(a -> assertThat(a.user()).isEqualTo("alice"));
    }

    @Test
    void badCredentialsAreRefusedByTheRealServer() throws Exception {
        int port = start(new EasyAuthenticationHandlerFactory(ALICE));
        try (SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + port + "?sslContextParameters=#tls"
                                                    + "&from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=guess")) {
            SendmailException e = (SendmailException) route.send("no").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class);
            assertThat(e.getCode()).isEqualTo(535);
        }
        assertThat(arrived).isEmpty();
    }
}
