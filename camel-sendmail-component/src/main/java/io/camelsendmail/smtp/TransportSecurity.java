package io.camelsendmail.smtp;

import io.camelsendmail.AuthenticationRequiredException;
import io.camelsendmail.SendmailException;
import io.camelsendmail.TransportSecurityRequiredException;

/**
 * The one place that decides when TLS is required and when credentials may be sent. Every SMTP command passes through
 * {@link #beforeCommand} before it is written.
 *
 * @param requireTransportSecurity nothing after EHLO outside TLS
 * @param hasCredentials           a password or a token will be sent
 * @param allowPlaintextAuth       credentials may go outside TLS (a trusted network only)
 * @param requireAuthentication    no MAIL FROM unless signed in
 */
public record TransportSecurity(boolean requireTransportSecurity, boolean hasCredentials, boolean allowPlaintextAuth,
        boolean requireAuthentication) {

    /** @return whether nothing but EHLO/HELO/STARTTLS/RSET/QUIT may be sent outside TLS */
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
