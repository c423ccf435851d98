package io.camelsendmail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TokenEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tokenProvider=#bean: the user's {@link AccessTokenProvider} gives the tokens (here it gets them from the test's token
 * endpoint, as a Google service account or msal4j would from theirs), and hears of a token the server refused.
 */
class AccessTokenProviderTest {

    /** Hands out the endpoint's tokens: a fresh one after an invalidation, else the one it has. */
    private static final class EndpointTokens implements AccessTokenProvider {
        final List<String> invalidated = new CopyOnWriteArrayList<>();
        private final TokenEndpoint endpoint;
        private String current;
        private int issued;

        EndpointTokens(TokenEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public synchronized String getAccessToken() throws Exception {
            if (current == null) {
                // as a Google service account or msal4j gets one from its identity provider
                current = mint();
            }
            return current;
        }

        @Override
        public synchronized void invalidate(String token) {
            invalidated.add(token);
            current = null;
        }

        private String mint() {
            issued++;
            return endpoint.mint();
        }
    }

    @Test
    void theProvidersTokenSignsInAndARefusedOneIsInvalidatedAndReplacedOnce() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start().expiresIn(60);
             ScriptedSmtpServer server = tokens.bearerServer("alice@example.com", "XOAUTH2");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls"
                                                    + "&username=alice@example.com&tokenProvider=#tokens&maxMessagesPerConnection=1",
                     Map.of("tokens", new EndpointTokens(tokens)))) {
            EndpointTokens provider = (EndpointTokens) route.context().getRegistry().lookupByName("tokens");
            assertThat(route.send("first").getException()).isNull();
            String first = tokens.lastToken();
            tokens.revoke(first);

            assertThat(route.send("second").getException()).isNull();

            assertThat(provider.invalidated).containsExactly(first);
            assertThat(provider.issued).isEqualTo(2);
            assertThat(server.messages()).hasSize(2);
        }
    }
}
