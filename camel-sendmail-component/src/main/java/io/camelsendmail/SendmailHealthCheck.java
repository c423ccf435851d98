package io.camelsendmail;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The producer health check of a {@code sendmail:} endpoint: UP while its SMTP server can be reached and signed in to,
 * DOWN with the reason when it cannot, and DOWN while the server's sending quota is used up. No mail is sent: where no
 * message was accepted within the last {@code healthCheckInterval}, an idle connection is asked with NOOP, or where none
 * is idle a connection is opened (greeting, EHLO, TLS, AUTH, as for messages) and closed with QUIT. The result is kept for {@code healthCheckInterval}, so the server is not asked more often than that however
 * often the check is called.
 */
final class SendmailHealthCheck extends AbstractHealthCheck {

    private final SendmailEndpoint endpoint;
    private Verdict last;

    private record Verdict(boolean up, String message, Map<String, Object> details, long atMillis) {
    }

    SendmailHealthCheck(SendmailEndpoint endpoint, String id) {
        super("camel", id);
        this.endpoint = endpoint;
    }

    @Override
    public boolean isLiveness() {
        // an unreachable mail server does not make the application dead, only not ready to send
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Verdict verdict = verdict();
        builder.detail("host", endpoint.getConfiguration().getHost());
        builder.detail("port", endpoint.getConfiguration().effectivePort());
        builder.details(verdict.details());
        builder.message(verdict.message());
        if (verdict.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }

    private synchronized Verdict verdict() {
        long now = System.currentTimeMillis();
        long interval = endpoint.getConfiguration().getHealthCheckInterval();
        if (last != null && now - last.atMillis() < interval) {
            return last;
        }
        String quota = endpoint.quotaPause();
        if (quota != null) {
            // the server said the sending quota is used up: nothing is sent until the pause ends
            last = new Verdict(false, quota, Map.of("failure", "quota", "transient", true), now);
            return last;
        }
        long sentAgo = now - endpoint.getStatistics().getLastSentMillis();
        if (endpoint.getStatistics().getLastSentMillis() > 0 && sentAgo < interval) {
            last = new Verdict(true, "the server accepted a message " + sentAgo + " ms ago", Map.of(), now);
        } else {
            try {
                boolean opened = endpoint.probe();
                last = new Verdict(true, opened ? "the server answered and accepted the sign-in; no mail was sent"
                        : "every connection is in use", Map.of(), now);
            } catch (SendmailException e) {
                last = new Verdict(false, e.getMessage(), Map.of("failure", e.getClass().getSimpleName(),
                        "code", e.getCode(), "transient", e.isTransient()), now);
            } catch (RuntimeException e) {
                last = new Verdict(false, e.toString(), Map.of("failure", e.getClass().getSimpleName()), now);
            }
        }
        return last;
    }
}
