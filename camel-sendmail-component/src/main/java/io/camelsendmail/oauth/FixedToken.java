package io.camelsendmail.oauth;

import io.camelsendmail.smtp.BearerTokens;

/** The {@code accessToken} option: a token the route obtained itself. Refused, it is refused for good. */
public final class FixedToken implements BearerTokens {

    private final String token;

    public FixedToken(String token) {
        this.token = token;
    }

    @Override
    public String token() {
        return token;
    }

    @Override
    public boolean refused(String token) {
        return false;
    }

    @Override
    public String toString() {
        return "FixedToken[***]";
    }
}
