package io.camelsendmail;

import org.apache.camel.spi.Metadata;

/**
 * Exchange headers read and written by the {@code sendmail:} producer.
 */
public final class SendmailConstants {

    @Metadata(label = "producer", description = "The sender (From header and envelope sender) for this message; overrides the from option.",
              javaType = "String")
    public static final String FROM = "From";
    @Metadata(label = "producer", description = "Comma-separated To recipients for this message; overrides the to option.",
              javaType = "String")
    public static final String TO = "To";
    @Metadata(label = "producer", description = "Comma-separated Cc recipients for this message; overrides the cc option.",
              javaType = "String")
    public static final String CC = "Cc";
    @Metadata(label = "producer",
              description = "Comma-separated Bcc recipients for this message; overrides the bcc option. Never transmitted as a header.",
              javaType = "String")
    public static final String BCC = "Bcc";
    @Metadata(label = "producer", description = "The Reply-To address for this message; overrides the replyTo option.",
              javaType = "String")
    public static final String REPLY_TO = "Reply-To";
    @Metadata(label = "producer", description = "The subject of this message; overrides the subject option.", javaType = "String")
    public static final String SUBJECT = "Subject";

    @Metadata(label = "producer", description = "When delivery status notifications are sent for this message (NEVER, or "
                                                + "SUCCESS, FAILURE, DELAY comma-separated); overrides the dsnNotify option.",
              javaType = "String")
    public static final String DSN_NOTIFY = "CamelSendmailDsnNotify";
    @Metadata(label = "producer", description = "What a delivery status notification returns of this message (FULL or "
                                                + "HDRS); overrides the dsnRet option.", javaType = "String")
    public static final String DSN_RET = "CamelSendmailDsnRet";
    @Metadata(label = "producer", description = "The envelope id of this message for delivery status notifications; "
                                                + "overrides the dsnEnvid option.", javaType = "String")
    public static final String DSN_ENVID = "CamelSendmailDsnEnvid";

    @Metadata(label = "producer", description = "The plain text alternative of a String body (HTML, say): the two go as "
                                                + "multipart/alternative. Overrides the alternativeBody option.", javaType = "String")
    public static final String ALTERNATIVE_BODY = "CamelSendmailAlternativeBody";
    @Metadata(label = "producer", description = "Exchange headers named CamelSendmailHeader.<Name> become the mail header "
                                                + "<Name> (List-Unsubscribe, In-Reply-To, X-..., Message-ID); no other exchange "
                                                + "header does. The envelope, structure and trace headers cannot be set this way.",
              javaType = "String")
    public static final String HEADER_PREFIX = "CamelSendmailHeader.";
    @Metadata(label = "producer", description = "A Map of mail header names to values, added as the CamelSendmailHeader.* "
                                                + "headers are.", javaType = "java.util.Map<String, Object>")
    public static final String HEADERS = "CamelSendmailHeaders";

    @Metadata(label = "producer", description = "How many recipients the server accepted (Twisted's numOk).",
              javaType = "Integer")
    public static final String ACCEPTED = "CamelSendmailAccepted";
    @Metadata(label = "producer",
              description = "One status per RCPT, in order, accepted or not: address, SMTP code and the server's reply text.",
              javaType = "java.util.List<io.camelsendmail.RecipientStatus>")
    public static final String STATUSES = "CamelSendmailStatuses";
    @Metadata(label = "producer", description = "The Message-ID that was sent.", javaType = "String")
    public static final String MESSAGE_ID = "CamelSendmailMessageId";
    @Metadata(label = "producer", description = "The server's reply to the end of DATA, for example its queue id.",
              javaType = "String")
    public static final String RESPONSE = "CamelSendmailResponse";
    @Metadata(label = "producer", description = "The queue id the server named in its final reply (Postfix's `queued as "
                                                + "4XyZ`, Exim's `id=`, Sendmail's, Exchange's, Amazon SES's, Gmail's): "
                                                + "what to look for in the relay's logs. Absent where it named none.",
              javaType = "String")
    public static final String QUEUE_ID = "CamelSendmailQueueId";

    /**
     * Set by the {@code deliveryReport} data format: what the unmarshalled message is, a {@link DeliveryReports.Type}
     * name ({@code DELIVERY_STATUS}, {@code BOUNCE}, {@code AUTO_REPLY}, {@code FEEDBACK_REPORT}, {@code READ_RECEIPT},
     * {@code NONE}).
     */
    public static final String REPORT_TYPE = "CamelSendmailReportType";

    private SendmailConstants() {
    }
}
