package io.camelsendmail;

import io.camelsendmail.message.PreparedMessage;
import io.camelsendmail.smtp.Delivery;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an exchange into a prepared message, hands it to the endpoint's connections, and turns the outcome into result
 * headers. A failure is thrown as a {@link SendmailException}, which Camel puts on the exchange.
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
        // composed and serialized before a connection is borrowed: a bad message never touches one
        try (PreparedMessage message = endpoint.mailProviders().run(() -> endpoint.composer().prepare(exchange.getMessage()))) {
            Delivery delivery = endpoint.connections().deliver(message);
            Message out = exchange.getMessage();
            out.setHeader(SendmailConstants.ACCEPTED, delivery.accepted());
            out.setHeader(SendmailConstants.STATUSES, delivery.statuses());
            out.setHeader(SendmailConstants.MESSAGE_ID, message.messageId());
            out.setHeader(SendmailConstants.RESPONSE, delivery.response());
            LOG.debug("Sent {} to {} of {} recipients: {}", message.messageId(), delivery.accepted(),
                    delivery.statuses().size(), delivery.response());
        }
    }
}
