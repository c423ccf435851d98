package io.camelsendmail.smtp;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queue id a server names in its reply to the end of the data, as each writes it: what an operator looks for in the
 * relay's logs.
 */
public final class QueueId {

    private static final List<Pattern> FORMS = List.of(
            // Postfix, SendGrid: "2.0.0 Ok: queued as 4XyZ1b2C3d"
            Pattern.compile("queued as ([A-Za-z0-9._-]+)", Pattern.CASE_INSENSITIVE),
            // Exim: "OK id=1vAbCd-000123-Xy"
            Pattern.compile("\\bid=([A-Za-z0-9-]+)"),
            // Exchange, Microsoft 365: "2.6.0 <...> [InternalId=123456789, Hostname=...] Queued mail for delivery"
            Pattern.compile("InternalId=([0-9]+)"),
            // Amazon SES: "Ok 0102018f...-000000"
            Pattern.compile("^(?:2\\.0\\.0 )?Ok ([0-9a-f]{16}-[0-9a-f-]{20,})", Pattern.CASE_INSENSITIVE),
            // Gmail: "2.0.0 OK  1764493202 d9443c01a7336-1f3a1234sm1234567pld.12 - gsmtp"
            Pattern.compile("OK\\s+\\d+ (\\S+) - gsmtp"),
            // Sendmail: "2.0.0 5AU9A0aB012345 Message accepted for delivery"
            Pattern.compile("^2\\.0\\.0 ([A-Za-z0-9]{10,20}) Message accepted"),
            // qmail: "ok 1764493202 qp 12345"
            Pattern.compile("\\b(qp \\d+)"),
            // Stalwart, haraka and others: "Message queued as <id>", "queued (id)"
            Pattern.compile("queued \\(([A-Za-z0-9._-]+)\\)", Pattern.CASE_INSENSITIVE));

    private QueueId() {
    }

    /** @return the queue id in the text of a final reply (without its code), or null where it names none */
    public static String of(String replyText) {
        if (replyText == null) {
            return null;
        }
        for (Pattern form : FORMS) {
            Matcher m = form.matcher(replyText);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }
}
