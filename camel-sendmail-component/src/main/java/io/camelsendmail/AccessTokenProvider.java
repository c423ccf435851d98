package io.camelsendmail;

/**
 * Where a {@code sendmail:} endpoint gets an OAuth 2.0 access token for SASL XOAUTH2 or OAUTHBEARER, when neither a
 * fixed {@code accessToken} nor the built-in client ({@code oauth2TokenUrl}) fits: a Google service account through
 * google-auth-library, msal4j, a vault. Bind an implementation in the registry and set {@code tokenProvider=#name}.
 * <p>
 * The endpoint asks for a token only when it opens a connection; connections stay signed in while they are pooled. It
 * may ask from several threads at once.
 */
public interface AccessTokenProvider {

    /**
     * @return a current access token for the mailbox named by the endpoint's {@code username}
     * @throws Exception when no token can be had; the send fails with an {@link AuthenticationFailedException} that is
     *                   transient, since a provider's failure is usually a passing one
     */
    String getAccessToken() throws Exception;

    /**
     * The SMTP server refused this token (revoked, or expired before its time). Drop it from any cache: the endpoint
     * asks once more, on a fresh connection, before it fails the message.
     */
    default void invalidate(String token) {
    }
}
