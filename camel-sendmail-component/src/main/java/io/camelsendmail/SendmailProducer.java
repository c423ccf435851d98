package io.camelsendmail;

import io.camelsendmail.message.PreparedMessage;
import io.camelsendmail.smtp.SmtpConnectionPool;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.support.DefaultAsyncProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an exchange into a prepared message and queues it to the endpoint's connections; the exchange completes when
 * the server's final reply arrives, with the result headers or a {@link SendmailException}. The route thread is not
 * held while replies travel.
 */
public class SendmailProducer extends DefaultAsyncProducer {

    private static final Logger LOG = LoggerFactory.getLogger(SendmailProducer.class);

    private WritableHealthCheckRepository healthChecks;
    private SendmailHealthCheck healthCheck;

    public SendmailProducer(SendmailEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // where health checks are enabled (Camel Main, Spring Boot actuator), this endpoint's server is one
        healthChecks = HealthCheckHelper.getHealthCheckRepository(getEndpoint().getCamelContext(), "producers",
                WritableHealthCheckRepository.class);
        if (healthChecks != null) {
            // one check per endpoint: a second endpoint to the same server (other credentials, say) gets -2, -3...
            String id = "producer:sendmail-" + getEndpoint().getServer();
            String unique = id;
            for (int n = 2; healthChecks.getCheck(unique).isPresent(); n++) {
                unique = id + "-" + n;
            }
            healthCheck = new SendmailHealthCheck(getEndpoint(), unique);
            healthCheck.setEnabled(((SendmailComponent) getEndpoint().getComponent()).isHealthCheckProducerEnabled());
            healthChecks.addHealthCheck(healthCheck);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (healthChecks != null && healthCheck != null) {
            healthChecks.removeHealthCheck(healthCheck);
            healthCheck = null;
        }
        super.doStop();
    }

    @Override
    public SendmailEndpoint getEndpoint() {
        return (SendmailEndpoint) super.getEndpoint();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        SendmailEndpoint endpoint = getEndpoint();
        SmtpConnectionPool connections = endpoint.connections();
        if (connections == null) {
            exchange.setException(new SmtpConnectException("the sendmail: endpoint for " + endpoint.getServer()
                                                           + " is stopped; nothing was sent", "CONNECT", -1, true, null, null));
            callback.done(true);
            return true;
        }
        PreparedMessage message;
        try {
            // composed and serialized before any connection: a bad message never touches one
            message = endpoint.mailProviders().run(() -> endpoint.composer().prepare(exchange.getMessage()));
        } catch (Exception e) {
            endpoint.getStatistics().failed(e);
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        connections.submit(message, (delivery, failure) -> {
            try {
                if (failure != null) {
                    endpoint.getStatistics().failed(failure);
                    exchange.setException(failure);
                } else {
                    endpoint.getStatistics().sent(delivery.accepted(), delivery.statuses().size() - delivery.accepted());
                    Message out = exchange.getMessage();
                    out.setHeader(SendmailConstants.ACCEPTED, delivery.accepted());
                    out.setHeader(SendmailConstants.STATUSES, delivery.statuses());
                    out.setHeader(SendmailConstants.MESSAGE_ID, message.messageId());
                    out.setHeader(SendmailConstants.RESPONSE, delivery.response());
                    LOG.debug("Sent {} to {} of {} recipients: {}", message.messageId(), delivery.accepted(),
                            delivery.statuses().size(), delivery.response());
                }
            } finally {
                message.close();
                callback.done(false);
            }
        });
        return false;
    }
}
