package io.camelsendmail;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.camelsendmail.message.PreparedMessage;
import io.camelsendmail.smtp.QueueId;
import io.camelsendmail.smtp.SmtpConnectionPool;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.spi.IdempotentRepository;
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

    /** The response of a recipient on the suppression list: its code is 550. */
    static final String SUPPRESSED = "suppressed: the address is on the suppression list (suppressionRepository); "
                                     + "nothing was sent to it";

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
        // a connection about to write the messages it has begun waits briefly for this one
        connections.preparing();
        boolean submitted = false;
        try {
            submitted = prepareAndSubmit(endpoint, connections, exchange, callback);
        } finally {
            if (!submitted) {
                connections.notPreparing();
            }
        }
        return !submitted;
    }

    /** @return whether the message was submitted (its callback comes later); false: done at once, with its error */
    private boolean prepareAndSubmit(SendmailEndpoint endpoint, SmtpConnectionPool connections, Exchange exchange,
                                     AsyncCallback callback) {
        PreparedMessage message;
        try {
            // composed and serialized before any connection: a bad message never touches one
            message = endpoint.mailProviders().run(() -> endpoint.composer().prepare(exchange.getMessage()));
        } catch (Exception e) {
            endpoint.getStatistics().failed(e);
            exchange.setException(e);
            callback.done(true);
            return false;
        }
        Map<String, RecipientStatus> suppressed;
        try {
            suppressed = suppressed(message);
        } catch (SendmailException e) {
            message.close();
            endpoint.getStatistics().failed(e);
            exchange.setException(e);
            callback.done(true);
            return false;
        }
        PreparedMessage sent = suppressed.isEmpty() ? message
                : message.withRecipients(message.envelope().recipients().stream()
                        .filter(r -> !suppressed.containsKey(r.getAddress())).toList());
        connections.submit(sent, (delivery, failure) -> {
            try {
                if (failure != null) {
                    endpoint.getStatistics().failed(failure);
                    exchange.setException(failure);
                } else {
                    List<RecipientStatus> statuses = withSuppressed(message, suppressed, delivery.statuses());
                    endpoint.getStatistics().sent(delivery.accepted(), statuses.size() - delivery.accepted());
                    Message out = exchange.getMessage();
                    out.setHeader(SendmailConstants.ACCEPTED, delivery.accepted());
                    out.setHeader(SendmailConstants.STATUSES, statuses);
                    out.setHeader(SendmailConstants.MESSAGE_ID, message.messageId());
                    out.setHeader(SendmailConstants.RESPONSE, delivery.response());
                    String queueId = QueueId.of(delivery.response());
                    if (queueId != null) {
                        out.setHeader(SendmailConstants.QUEUE_ID, queueId);
                    }
                    LOG.debug("Sent {} to {} of {} recipients: {}", message.messageId(), delivery.accepted(),
                            statuses.size(), delivery.response());
                }
            } finally {
                sent.close();
                callback.done(false);
            }
        }, true);
        return true;
    }

    /**
     * @return the message's recipients that are on the suppression list, each with its status, in envelope order
     * @throws SendmailException where none is left to send to, or some are and allowPartialDelivery=false, or the list
     *                           cannot be read
     */
    private Map<String, RecipientStatus> suppressed(PreparedMessage message) throws SendmailException {
        SendmailConfiguration configuration = getEndpoint().getConfiguration();
        IdempotentRepository suppressions = configuration.getSuppressionRepository();
        if (suppressions == null) {
            return Map.of();
        }
        Map<String, RecipientStatus> suppressed = new LinkedHashMap<>();
        for (String address : message.recipients()) {
            try {
                if (suppressions.contains(address) || suppressions.contains(address.toLowerCase(Locale.ROOT))) {
                    suppressed.put(address, new RecipientStatus(address, 550, SUPPRESSED));
                }
            } catch (RuntimeException e) {
                throw new SendmailException("the suppression list (suppressionRepository) could not be read: " + e
                                            + "; nothing was sent", null, -1, true, null, e);
            }
        }
        int recipients = message.recipients().size();
        if (!suppressed.isEmpty() && (suppressed.size() == recipients || !configuration.isAllowPartialDelivery())) {
            List<RecipientStatus> statuses = withSuppressed(message, suppressed, List.of());
            String which = suppressed.size() == recipients ? "every recipient is"
                    : suppressed.size() + " of " + recipients + " recipients are";
            throw new SmtpDeliveryException(which + " on the suppression list"
                                            + (suppressed.size() == recipients ? "" : " (allowPartialDelivery=false)")
                                            + "; the message was not sent: " + suppressed.keySet(),
                    "RCPT", 550, false, statuses, null);
        }
        return suppressed;
    }

    /** The statuses of every envelope recipient, in order: the suppressed ones' own, the server's for the others. */
    private static List<RecipientStatus> withSuppressed(PreparedMessage message, Map<String, RecipientStatus> suppressed,
                                                        List<RecipientStatus> fromServer) {
        if (suppressed.isEmpty()) {
            return fromServer;
        }
        List<RecipientStatus> statuses = new ArrayList<>();
        Iterator<RecipientStatus> server = fromServer.iterator();
        for (String address : message.recipients()) {
            RecipientStatus status = suppressed.get(address);
            if (status == null && server.hasNext()) {
                status = server.next();
            }
            if (status != null) {
                statuses.add(status);
            }
        }
        return statuses;
    }
}
