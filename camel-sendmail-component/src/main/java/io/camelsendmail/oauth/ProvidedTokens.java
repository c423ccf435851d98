package io.camelsendmail.oauth;

import io.camelsendmail.AccessTokenProvider;
import io.camelsendmail.AuthenticationFailedException;
import io.camelsendmail.SendmailException;
import io.camelsendmail.smtp.BearerTokens;

/** The {@code tokenProvider} option: the user's {@link AccessTokenProvider} bean. */
public final class ProvidedTokens implements BearerTokens {

    private final AccessTokenProvider provider;

    public ProvidedTokens(AccessTokenProvider provider) {
        this.provider = provider;
    }

    @Override
    public String token() throws SendmailException {
        String token;
        try {
            token = provider.getAccessToken();
        } catch (Exception e) {
            throw new AuthenticationFailedException("the tokenProvider " + provider.getClass().getName()
                                                    + " gave no access token: " + e.getMessage(),
                    "AUTH", -1, true, null, e);
        }
        if (token == null || token.isBlank()) {
            throw new AuthenticationFailedException("the tokenProvider " + provider.getClass().getName()
                                                    + " gave an empty access token", "AUTH", -1, true, null, null);
        }
        return token;
    }

    @Override
    public boolean refused(String token) {
        provider.invalidate(token);
        return true;
    }
}
