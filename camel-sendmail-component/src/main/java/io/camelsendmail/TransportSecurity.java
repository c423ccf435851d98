package io.camelsendmail;

/**
 * The one place that decides when TLS is required and when credentials may be sent. Every SMTP command passes through
 * {@link #beforeCommand}, whichever session (plain or pooled) sends it.
 */
final class TransportSecurity {

    private final boolean requireTransportSecurity;
    private final boolean hasCredentials;
    private final boolean allowPlaintextAuth;
    private final boolean requireAuthentication;

    TransportSecurity(SendmailConfiguration configuration) {
        this.requireTransportSecurity = configuration.isRequireTransportSecurity();
        this.hasCredentials = configuration.getUsername() != null;
        this.allowPlaintextAuth = configuration.isAllowPlaintextAuth();
        this.requireAuthentication = configuration.isRequireAuthentication();
    }

    /** @return whether nothing but EHLO/HELO/STARTTLS/QUIT may be sent outside TLS */
    boolean tlsRequired() {
        return requireTransportSecurity || hasCredentials && !allowPlaintextAuth;
    }

    /**
     * Called before each command is written to the server.
     *
     * @return the refusal to raise instead of sending the command, or null when the command may be sent
     */
    SendmailException beforeCommand(SmtpStep step, boolean tlsActive, boolean authenticated, String server) {
        if (!tlsActive && tlsRequired() && !step.allowedBeforeTls()) {
            String why = requireTransportSecurity
                    ? "requireTransportSecurity=true"
                    : "credentials are never sent outside TLS (set allowPlaintextAuth=true only on a trusted network)";
            return new TransportSecurityRequiredException(
                    "TLS is required but the SMTP server " + server
                            + " did not offer STARTTLS; nothing was sent after EHLO (" + why + ")",
                    step.name(), -1, false, null, null);
        }
        if (step == SmtpStep.MAIL && requireAuthentication && !authenticated) {
            return new AuthenticationRequiredException(
                    "requireAuthentication=true but the SMTP server " + server
                            + " offers no AUTH mechanism; MAIL FROM was not sent",
                    step.name(), -1, false, null, null);
        }
        return null;
    }
}
