package io.camelsendmail;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an exchange into an envelope and a message, hands them to the endpoint's sessions, and turns the outcome into
 * result headers. A failure is thrown as a {@link SendmailException}, which Camel puts on the exchange.
 */
public class SendmailProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(SendmailProducer.class);

    public SendmailProducer(SendmailEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SendmailEndpoint getEndpoint() {
        return (SendmailEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SendmailEndpoint endpoint = getEndpoint();
        Delivery delivery = endpoint.mailProviders().run(() -> {
            OutgoingMail mail = endpoint.composer().compose(exchange.getMessage());
            try {
                return endpoint.sessions().deliver(mail);
            } finally {
                mail.closeSource();
            }
        });
        Message out = exchange.getMessage();
        out.setHeader(SendmailConstants.ACCEPTED, delivery.accepted());
        out.setHeader(SendmailConstants.STATUSES, delivery.statuses());
        out.setHeader(SendmailConstants.MESSAGE_ID, delivery.messageId());
        out.setHeader(SendmailConstants.RESPONSE, delivery.response());
        LOG.debug("Sent {} to {} of {} recipients: {}", delivery.messageId(), delivery.accepted(),
                delivery.statuses().size(), delivery.response());
    }
}
