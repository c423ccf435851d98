package io.camelsendmail.oauth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import io.camelsendmail.AuthenticationFailedException;
import io.camelsendmail.SendmailException;
import io.camelsendmail.smtp.BearerTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in OAuth 2.0 client (RFC 6749, on Nimbus OAuth 2.0 SDK): the refresh_token grant where a refresh token is
 * set, else client_credentials. The access token is cached until shortly before it expires, and fetched by one thread at
 * a time however many connections open together. A refresh token the endpoint rotates is kept for the next request.
 * <p>
 * Secrets (client secret, refresh token, access token) go to the token endpoint only, and appear in no log line and no
 * exception message.
 */
public final class OAuth2TokenClient implements BearerTokens {

    private static final Logger LOG = LoggerFactory.getLogger(OAuth2TokenClient.class);
    /** The longest a token is renewed before it expires. */
    private static final long MAX_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final URI tokenUrl;
    private final ClientID clientId;
    private final Secret clientSecret;
    private final Scope scope;
    private final int connectTimeout;
    private final int readTimeout;
    private final Object lock = new Object();
    private RefreshToken refreshToken;
    private String cached;
    private long renewAt;

    /**
     * @param clientSecret null for a public client (a refresh token without a secret)
     * @param refreshToken null for the client_credentials grant
     * @param scope        space-separated scopes, or null
     */
    public OAuth2TokenClient(URI tokenUrl, String clientId, String clientSecret, String scope, String refreshToken,
                             int connectTimeout, int readTimeout) {
        this.tokenUrl = tokenUrl;
        this.clientId = new ClientID(clientId);
        this.clientSecret = clientSecret != null ? new Secret(clientSecret) : null;
        this.scope = scope != null && !scope.isBlank() ? Scope.parse(scope) : null;
        this.refreshToken = refreshToken != null ? new RefreshToken(refreshToken) : null;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * @return null when the URL may be used, else why not: it must be https, except on a loopback address (a local
     *         token service, or a test)
     */
    public static String refusal(URI url) {
        if (url.getHost() == null || !url.isAbsolute()) {
            return "is not an absolute http(s) URL";
        }
        if ("https".equalsIgnoreCase(url.getScheme())) {
            return null;
        }
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            return "must be an https URL";
        }
        try {
            // a literal address is not looked up; a name must resolve to loopback only
            for (InetAddress address : InetAddress.getAllByName(url.getHost())) {
                if (!address.isLoopbackAddress()) {
                    return "must be https: the client secret and tokens never travel in plain text, except to a loopback address";
                }
            }
            return null;
        } catch (UnknownHostException e) {
            return "must be https (its host " + url.getHost() + " is unknown, so it cannot be shown to be loopback)";
        }
    }

    @Override
    public String token() throws SendmailException {
        synchronized (lock) {
            if (cached == null || System.nanoTime() - renewAt >= 0) {
                fetch();
            }
            return cached;
        }
    }

    @Override
    public boolean refused(String token) {
        synchronized (lock) {
            if (token.equals(cached)) {
                cached = null;
            }
        }
        return true;
    }

    private void fetch() throws SendmailException {
        AuthorizationGrant grant = refreshToken != null ? new RefreshTokenGrant(refreshToken) : new ClientCredentialsGrant();
        String grantName = grant.getType().getValue();
        TokenRequest.Builder builder = clientSecret != null
                ? new TokenRequest.Builder(tokenUrl, new ClientSecretPost(clientId, clientSecret), grant)
                : new TokenRequest.Builder(tokenUrl, clientId, grant);
        HTTPRequest request = builder.scope(scope).build().toHTTPRequest();
        request.setConnectTimeout(connectTimeout);
        request.setReadTimeout(readTimeout);
        long asked = System.nanoTime();
        HTTPResponse response;
        try {
            response = request.send();
        } catch (IOException e) {
            throw failure("could not be reached: " + e.getClass().getSimpleName()
                          + (e.getMessage() != null ? " " + e.getMessage() : ""), true, e);
        }
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            throw failure("answered HTTP " + response.getStatusCode() + " with no OAuth 2.0 token response ("
                          + e.getMessage() + ")", response.getStatusCode() >= 500, e);
        }
        if (!parsed.indicatesSuccess()) {
            ErrorObject error = parsed.toErrorResponse().getErrorObject();
            int status = response.getStatusCode();
            String code = error.getCode();
            boolean passing = status >= 500 || status == 429 || "temporarily_unavailable".equals(code);
            boolean permanent = "invalid_client".equals(code) || "invalid_grant".equals(code);
            throw failure("refused the " + grantName + " grant: HTTP " + status + " " + code
                          + (error.getDescription() != null ? " (" + error.getDescription() + ")" : ""),
                    passing && !permanent, null);
        }
        AccessTokenResponse success = parsed.toSuccessResponse();
        AccessToken token = success.getTokens().getAccessToken();
        if (success.getTokens().getRefreshToken() != null) {
            // a rotated refresh token replaces the one used
            refreshToken = success.getTokens().getRefreshToken();
        }
        long lifetimeNanos = TimeUnit.SECONDS.toNanos(token.getLifetime() > 0 ? token.getLifetime() : 3600);
        // renewed a quarter of its life, at most a minute, before it expires
        renewAt = asked + lifetimeNanos - Math.min(MAX_MARGIN_NANOS, lifetimeNanos / 4);
        cached = token.getValue();
        LOG.debug("Fetched an OAuth 2.0 access token from {} with the {} grant, valid for {} s", tokenUrl, grantName,
                token.getLifetime());
    }

    private SendmailException failure(String what, boolean transientFailure, Throwable cause) {
        // the cause carries no secret: Nimbus's exceptions name the request, never its parameters
        return new AuthenticationFailedException("the OAuth 2.0 token endpoint " + tokenUrl + " " + what
                                                 + "; no access token for SMTP AUTH",
                "AUTH", -1, transientFailure, null, cause);
    }

    @Override
    public String toString() {
        return "OAuth2TokenClient[" + tokenUrl + "]";
    }
}
