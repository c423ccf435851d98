package io.camelsendmail.smtp;

import io.camelsendmail.SendmailException;

/** Where a connection gets the OAuth 2.0 bearer token it signs in with (SASL XOAUTH2 or OAUTHBEARER). */
public interface BearerTokens {

    /** @return a token for a new connection to sign in with; never logged */
    String token() throws SendmailException;

    /**
     * The server refused this token.
     *
     * @return whether asking again may give another token, so that one more try on a fresh connection makes sense
     */
    boolean refused(String token);
}
