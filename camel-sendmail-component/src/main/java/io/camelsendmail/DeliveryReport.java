package io.camelsendmail;

import java.io.Serializable;

/**
 * What a bounce or a delivery status notification (RFC 3464) says about one recipient of a message that was sent: one
 * per recipient it names. {@link DeliveryReports} makes them from a message, and the {@code deliveryReport} data format
 * in a route.
 *
 * @param originalMessageId  the Message-ID of the message the report is about, with its angle brackets, from the
 *                           returned headers or message; null where the report returns neither
 * @param originalEnvelopeId the envelope id (ENVID) the message was sent with, as the report gives it back; null for
 *                           none
 * @param recipient          the recipient the report is about (its {@code Final-Recipient}), an address without type
 * @param originalRecipient  the recipient as the sender named it ({@code Original-Recipient}, the ORCPT it was sent
 *                           with); null where the report does not say
 * @param action             {@code failed}, {@code delayed}, {@code delivered}, {@code relayed} or {@code expanded}
 * @param status             the enhanced status code ({@code 5.1.1}); null only where nothing says or suggests one
 * @param diagnosticCode     the words of the server that refused or delayed it, or of the reporting server; null for
 *                           none
 * @param replyCode          the SMTP reply code among those words ({@code 550}), -1 for none
 * @param remoteMta          the server that refused or delayed it, where the report names one
 * @param reportingMta       the server that wrote the report, where it names itself
 * @param arrivalDate        when the reporting server received the message, as written in the report; null for none
 * @param permanent          true when delivery to this recipient failed for good (action {@code failed} and a 5.x.x
 *                           status): the address to stop mailing, after a look at the diagnostic
 * @param statusInferred     true when the status was not stated but taken from a reply code or from the words of the
 *                           bounce (a free-text bounce, or a report without its {@code Status} field)
 */
public record DeliveryReport(String originalMessageId, String originalEnvelopeId, String recipient,
                             String originalRecipient, String action, String status, String diagnosticCode,
                             int replyCode, String remoteMta, String reportingMta, String arrivalDate, boolean permanent,
                             boolean statusInferred)
        implements Serializable {

    /** @return true when the report says the message reached this recipient, or a server that does not report further */
    public boolean delivered() {
        return "delivered".equals(action) || "relayed".equals(action) || "expanded".equals(action);
    }

    @Override
    public String toString() {
        return recipient + " " + action + " " + status + (diagnosticCode != null ? " (" + diagnosticCode + ")" : "");
    }
}
