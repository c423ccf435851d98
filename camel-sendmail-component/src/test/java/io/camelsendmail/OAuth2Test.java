package io.camelsendmail;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.camelsendmail.support.LogCapture;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TokenEndpoint;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.camelsendmail.support.TokenEndpoint.CLIENT_ID;
import static io.camelsendmail.support.TokenEndpoint.CLIENT_SECRET;
import static io.camelsendmail.support.TokenEndpoint.REFRESH_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OAuth 2.0 sign-in (SASL XOAUTH2 and OAUTHBEARER) against GreenMail and against a server that takes exactly the live
 * tokens of a loopback token endpoint, which issues tokens that live 1 or 2 seconds.
 */
class OAuth2Test {

    private static final String MAILBOX = "alice@example.com";
    private static final String MAIL = "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls&username=" + MAILBOX;

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTPS.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(MAILBOX, MAILBOX, "fixed-token-Ab12"));

    private static String builtInClient(TokenEndpoint tokens) {
        return "&oauth2TokenUrl=" + tokens.url() + "&oauth2ClientId=" + CLIENT_ID + "&oauth2ClientSecret=" + CLIENT_SECRET
               + "&oauth2Scope=https://mail.example.com/";
    }

    private static String uri(ScriptedSmtpServer server, String options) {
        return "sendmail:localhost:" + server.port() + MAIL + options;
    }

    @Test
    void aFixedTokenSignsInWithXoauth2AtGreenMail() throws Exception {
        try (SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + greenMail.getSmtps().getPort() + MAIL
                                                    + "&implicitTls=true&requireAuthentication=true&accessToken=fixed-token-Ab12")) {
            Exchange exchange = route.send("signed in with a token");
            assertThat(exchange.getException()).isNull();
        }
        MimeMessage received = greenMail.getReceivedMessages()[0];
        assertThat(GreenMailUtil.getBody(received)).isEqualTo("signed in with a token");
    }

    @Test
    void aWrongFixedTokenIsRefusedByGreenMailOnceWithItsReply() throws Exception {
        try (SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + greenMail.getSmtps().getPort() + MAIL
                                                    + "&implicitTls=true&accessToken=not-the-token")) {
            SendmailException e = (SendmailException) route.send("refused").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535");
            assertThat(e.getCode()).isEqualTo(535);
            assertThat(e.getMessage()).doesNotContain("not-the-token");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void clientCredentialsSignInWithOauthbearerWhereOffered() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "XOAUTH2", "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens)))) {
            assertThat(route.send("client credentials").getException()).isNull();

            assertThat(server.messages()).hasSize(1);
            assertThat(server.commands()).anyMatch(c -> c.startsWith("AUTH OAUTHBEARER ")).noneMatch(c -> c.startsWith("AUTH XOAUTH2"));
            String response = decodedAuth(server);
            assertThat(response).startsWith("n,a=alice@example.com,\u0001host=localhost\u0001port=" + server.port()
                                            + "\u0001auth=Bearer access-token-1\u0001\u0001");
            Map<String, String> form = tokens.forms().get(0);
            assertThat(form).containsEntry("grant_type", "client_credentials").containsEntry("client_id", CLIENT_ID)
                    .containsEntry("scope", "https://mail.example.com/");
        }
    }

    @Test
    void aRefreshTokenSignsInWithXoauth2() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "XOAUTH2");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens) + "&oauth2RefreshToken=" + REFRESH_TOKEN))) {
            assertThat(route.send("refresh token").getException()).isNull();

            assertThat(server.messages()).hasSize(1);
            assertThat(decodedAuth(server)).isEqualTo("user=alice@example.com\u0001auth=Bearer access-token-1\u0001\u0001");
            assertThat(tokens.forms().get(0)).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", REFRESH_TOKEN);
        }
    }

    @Test
    void aTokenIsCachedUntilItExpiresThenFetchedAgain() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start().expiresIn(2);
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens) + "&maxMessagesPerConnection=1"))) {
            assertThat(route.send("first").getException()).isNull();
            assertThat(route.send("second").getException()).isNull();
            // two connections, one token
            assertThat(server.connections()).isEqualTo(2);
            assertThat(tokens.requests()).isEqualTo(1);
            String first = tokens.lastToken();
            await().atMost(Duration.ofSeconds(5)).until(() -> !tokens.isLive(first));

            assertThat(route.send("third").getException()).isNull();
            assertThat(tokens.requests()).isEqualTo(2);
            assertThat(server.messages()).hasSize(3);
        }
    }

    @Test
    void aPooledConnectionStaysSignedInAfterItsTokenExpired() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start().expiresIn(1);
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens)))) {
            assertThat(route.send("first").getException()).isNull();
            String first = tokens.lastToken();
            await().atMost(Duration.ofSeconds(5)).until(() -> !tokens.isLive(first));

            assertThat(route.send("second").getException()).isNull();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(tokens.requests()).isEqualTo(1);
            assertThat(server.messages()).hasSize(2);
        }
    }

    @Test
    void twentyConnectionsOpeningTogetherFetchOneToken() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start().delay(300);
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens) + "&maxConnections=20"))) {
            ExecutorService threads = Executors.newFixedThreadPool(20);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<Exchange>> sends = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String body = "message " + i;
                    sends.add(threads.submit(() -> {
                        start.await();
                        return route.send(body);
                    }));
                }
                start.countDown();
                for (Future<Exchange> send : sends) {
                    assertThat(send.get(30, TimeUnit.SECONDS).getException()).isNull();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(server.messages()).hasSize(20);
            assertThat(server.connections()).isEqualTo(20);
            assertThat(tokens.requests()).isEqualTo(1);
        }
    }

    @Test
    void aTokenTheServerRevokedIsFetchedAgainOnceAndTheMessageDelivered() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start().expiresIn(60);
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens) + "&maxMessagesPerConnection=1"))) {
            assertThat(route.send("first").getException()).isNull();
            tokens.revoke(tokens.lastToken());

            Exchange second = route.send("second");

            assertThat(second.getException()).isNull();
            assertThat(tokens.requests()).isEqualTo(2);
            assertThat(server.messages()).hasSize(2);
            // the refused token got the error challenge and was acknowledged with RFC 7628's %x01, then a fresh connection
            assertThat(server.commands()).contains("AQ==");
            assertThat(server.commands().stream().filter(c -> c.startsWith("AUTH OAUTHBEARER"))).hasSize(3);
        }
    }

    @Test
    void aRefusedFixedTokenFailsWithTheServersReplyAndStatusWithoutARetry() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "XOAUTH2");
             SendmailRoute route = SendmailRoute.to(uri(server, "&accessToken=stale-token-Qw55"))) {
            SendmailException e = (SendmailException) route.send("refused").getException();

            assertThat(e).isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("535 5.7.8 Username and Password not accepted").hasMessageContaining("invalid_token");
            assertThat(e.getCode()).isEqualTo(535);
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).doesNotContain("stale-token-Qw55");
            // XOAUTH2's error challenge is acknowledged with an empty response
            assertThat(server.commands()).contains("");
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void aRefusedClientIsPermanentAndADownEndpointTransient() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute wrongSecret = SendmailRoute.to(uri(server, builtInClient(tokens).replace(CLIENT_SECRET, "wrong-secret-Pp09")))) {
            SendmailException e = (SendmailException) wrongSecret.send("hello").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("invalid_client").hasMessageContaining("unknown client or wrong secret");
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).doesNotContain("wrong-secret-Pp09");

            tokens.refuse(400, "invalid_grant");
            try (SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens)))) {
                SendmailException grant = (SendmailException) route.send("hello").getException();
                assertThat(grant).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("invalid_grant");
                assertThat(grant.isTransient()).isFalse();

                tokens.refuse(503, "");
                SendmailException down = (SendmailException) route.send("hello").getException();
                assertThat(down).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("503");
                assertThat(down.isTransient()).isTrue();
                assertThat(down.getMessage()).doesNotContain(CLIENT_SECRET);
            }
            assertThat(server.sawCommand("AUTH")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void anUnreachableTokenEndpointIsTransient() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens).replace(tokens.url(),
                     "http://127.0.0.1:" + closed + "/token")))) {
            SendmailException e = (SendmailException) route.send("hello").getException();
            assertThat(e).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("could not be reached");
            assertThat(e.isTransient()).isTrue();
        }
    }

    @Test
    void strippedStarttlsNeverLetsTheTokenOutNorFetchesOne() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "OAUTHBEARER", "XOAUTH2").withoutExtension("STARTTLS");
             SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens)))) {
            SendmailException e = (SendmailException) route.send("secret").getException();

            assertThat(e).isInstanceOf(TransportSecurityRequiredException.class);
            assertThat(server.commands()).allMatch(c -> c.startsWith("EHLO") || c.equals("QUIT"));
            assertThat(tokens.requests()).isZero();
        }
    }

    @Test
    void noSecretAppearsInTheLogTheErrorsOrWhatTheServerReceivedOutsideAuth() throws Exception {
        List<String> received = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String[] token = new String[1];
        String log = LogCapture.during(() -> {
            try (TokenEndpoint tokens = TokenEndpoint.start().expiresIn(60);
                 ScriptedSmtpServer server = tokens.bearerServer(MAILBOX, "XOAUTH2")) {
                try (SendmailRoute route = SendmailRoute.to(uri(server, builtInClient(tokens) + "&oauth2RefreshToken="
                                                                        + REFRESH_TOKEN + "&wireLog=true&maxMessagesPerConnection=1"))) {
                    assertThat(route.send("first").getException()).isNull();
                    tokens.revoke(tokens.lastToken());
                    assertThat(route.send("second").getException()).isNull();
                    tokens.refuse(401, "invalid_client");
                    tokens.revoke(tokens.lastToken());
                    errors.add(route.send("third").getException().toString());
                }
                token[0] = tokens.lastToken();
                server.received().forEach(r -> received.add(r.line().startsWith("AUTH ") ? "AUTH ***" : r.line()));
                received.addAll(server.messages());
            }
        });
        String everything = log + String.join("\n", errors) + String.join("\n", received);
        assertThat(log).contains("C: AUTH XOAUTH2 ***");
        for (String secret : List.of(CLIENT_SECRET, REFRESH_TOKEN, token[0], "access-token-1", "access-token-2")) {
            assertThat(everything).doesNotContain(secret);
            assertThat(everything).doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(errors).singleElement().asString().contains("invalid_client");
    }

    /** The decoded initial response of the first AUTH the server received. */
    private static String decodedAuth(ScriptedSmtpServer server) {
        String auth = server.commands().stream().filter(c -> c.startsWith("AUTH ")).findFirst().orElseThrow();
        return new String(Base64.getDecoder().decode(auth.substring(auth.lastIndexOf(' ') + 1)), StandardCharsets.UTF_8);
    }
}
