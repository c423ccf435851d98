package io.camelsendmail.report;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsendmail.DeliveryReport;

/**
 * Amazon SES's bounce and delivery notifications, as they arrive by mail from an SNS topic: a JSON document
 * ({@code notificationType} {@code Bounce}, {@code Delivery} or {@code Complaint}), sometimes inside SNS's own JSON
 * envelope as an escaped string. Read with patterns rather than a JSON parser: a mail gateway may have wrapped or cut
 * the document's long line, and the fields wanted are flat.
 */
final class SesNotification {

    private static final Pattern TYPE = Pattern.compile("\"notificationType\"\\s*:\\s*\"(Bounce|Delivery|Complaint)\"");
    private static final Pattern BOUNCED = Pattern.compile("\\{\\s*\"emailAddress\"\\s*:\\s*\"([^\"]+)\"([^}]*)}");
    private static final Pattern DELIVERED_TO = Pattern.compile("\"recipients\"\\s*:\\s*\\[([^]]*)]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    /** What a notification is. */
    enum Type {
        BOUNCE, DELIVERY, COMPLAINT
    }

    private SesNotification() {
    }

    /** @return the notification's type, or null when the text is not one */
    static Type type(String text) {
        if (text == null || text.indexOf("notificationType") < 0) {
            return null;
        }
        Matcher m = TYPE.matcher(unescaped(text));
        return m.find() ? Type.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT)) : null;
    }

    static List<DeliveryReport> reports(String text) {
        String json = unescaped(text);
        List<DeliveryReport> reports = new ArrayList<>();
        String messageId = field(json, "messageId");
        String reportingMta = StatusFields.withoutType(field(json, "reportingMTA"));
        String timestamp = field(json, "timestamp");
        if (type(json) == Type.BOUNCE) {
            boolean permanent = "Permanent".equalsIgnoreCase(field(json, "bounceType"));
            Matcher m = BOUNCED.matcher(json);
            while (m.find()) {
                String fields = m.group(2);
                String diagnostic = StatusFields.withoutType(field(fields, "diagnosticCode"));
                int replyCode = StatusFields.replyCode(diagnostic);
                String status = StatusFields.status(field(fields, "status"));
                boolean inferred = false;
                if (status == null) {
                    status = Inference.fromWords(diagnostic, replyCode);
                    if (status == null) {
                        status = permanent ? "5.0.0" : "4.0.0";
                    }
                    inferred = true;
                }
                String action = field(fields, "action");
                if (action == null) {
                    action = status.startsWith("5") || permanent ? "failed" : "delayed";
                }
                reports.add(new DeliveryReport(sesMessageId(messageId), null, m.group(1), null, action, status, diagnostic,
                        replyCode, null, reportingMta, timestamp, "failed".equals(action) && status.startsWith("5"),
                        inferred));
            }
        } else if (type(json) == Type.DELIVERY) {
            String response = field(json, "smtpResponse");
            String status = StatusFields.status(response);
            Matcher to = DELIVERED_TO.matcher(json);
            if (to.find()) {
                Matcher address = QUOTED.matcher(to.group(1));
                while (address.find()) {
                    reports.add(new DeliveryReport(sesMessageId(messageId), null, address.group(1), null, "delivered",
                            status != null ? status : "2.0.0", response, StatusFields.replyCode(response),
                            field(json, "remoteMtaIp"), reportingMta, timestamp, false, status == null));
                }
            }
        }
        return reports;
    }

    /** SES's own message id, as the Message-ID it gives the mail: {@code <id@email.amazonses.com>}. */
    private static String sesMessageId(String id) {
        return id == null ? null : id.startsWith("<") ? id : "<" + id + "@email.amazonses.com>";
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1).replace("\\\"", "\"") : null;
    }

    /** SNS's envelope carries the notification as a string: its quotes escaped. */
    private static String unescaped(String text) {
        return text.contains("\\\"notificationType\\\"") ? text.replace("\\\"", "\"") : text;
    }
}
