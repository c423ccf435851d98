package io.camelsendmail.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsendmail.DeliveryReport;

/**
 * The fields of an RFC 3464 {@code message/delivery-status} part (and of RFC 6533's
 * {@code message/global-delivery-status}): one group of per-message fields, then one group per recipient. Read as
 * servers write them, not only as the RFC says: groups that are not separated by a blank line, fields out of order, a
 * missing {@code Action} or {@code Status}.
 */
final class StatusFields {

    static final Pattern STATUS = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    /** A reply code where a server's reply starts: at the start, or after a quote, a colon or "said". */
    static final Pattern REPLY_CODE = Pattern.compile("(?:^|[\\s:'\"(\\[])([245][0-5]\\d)(?=[\\s,;:)-]|$)");

    private static final java.util.Set<String> PER_MESSAGE = java.util.Set.of("reporting-mta", "original-envelope-id",
            "arrival-date", "received-from-mta", "dsn-gateway");

    private StatusFields() {
    }

    /**
     * @param text              the part's text
     * @param originalMessageId the Message-ID of the returned message, or null
     * @return one report per recipient group that names a recipient
     */
    static List<DeliveryReport> parse(String text, String originalMessageId) {
        Map<String, String> message = new LinkedHashMap<>();
        List<Map<String, String>> recipients = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : unfold(text)) {
            if (line.isBlank()) {
                current = null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (PER_MESSAGE.contains(name)) {
                message.putIfAbsent(name, value);
                continue;
            }
            // a recipient's group starts at its Final-Recipient or Original-Recipient, in either order
            boolean again = current != null && current.containsKey(name);
            boolean afterOther = current != null && name.equals("original-recipient") && closes(current);
            if (current == null || (name.endsWith("-recipient") && (again || afterOther))) {
                current = new LinkedHashMap<>();
                recipients.add(current);
            }
            current.putIfAbsent(name, value);
        }
        List<DeliveryReport> reports = new ArrayList<>();
        for (Map<String, String> fields : recipients) {
            String recipient = address(fields.get("final-recipient"), false);
            String original = address(fields.get("original-recipient"), true);
            if (recipient == null) {
                recipient = original;
            }
            if (recipient == null) {
                continue;
            }
            reports.add(report(message, fields, recipient, original, originalMessageId));
        }
        return reports;
    }

    /** @return whether an Action or a Status follows the group's Final-Recipient: a group complete in itself */
    private static boolean closes(Map<String, String> group) {
        boolean seenFinal = false;
        for (String key : group.keySet()) {
            seenFinal |= key.equals("final-recipient");
            if (seenFinal && (key.equals("action") || key.equals("status"))) {
                return true;
            }
        }
        return false;
    }

    private static DeliveryReport report(Map<String, String> message, Map<String, String> fields, String recipient,
                                         String original, String originalMessageId) {
        String diagnostic = withoutType(fields.get("diagnostic-code"));
        if (diagnostic != null && diagnostic.isEmpty()) {
            diagnostic = null;
        }
        int replyCode = replyCode(diagnostic);
        String status = status(fields.get("status"));
        String fromDiagnostic = diagnostic != null ? status(diagnostic) : null;
        boolean inferred = false;
        if (status == null) {
            if (fromDiagnostic != null) {
                status = fromDiagnostic;
            } else {
                status = Inference.fromWords(diagnostic, replyCode);
            }
            inferred = status != null;
        } else if (status.endsWith(".0.0") && fromDiagnostic != null && fromDiagnostic.charAt(0) == status.charAt(0)) {
            // "Status: 5.0.0" over "550 5.1.1 user unknown": the server's own, more precise, code
            status = fromDiagnostic;
        }
        String action = action(fields.get("action"), status);
        return new DeliveryReport(originalMessageId, xtextDecoded(withoutType(message.get("original-envelope-id"))),
                recipient, original, action, status, diagnostic, replyCode, withoutType(fields.get("remote-mta")),
                withoutType(message.get("reporting-mta")), message.get("arrival-date"),
                "failed".equals(action) && status != null && status.startsWith("5"), inferred);
    }

    private static String action(String action, String status) {
        if (action != null) {
            String word = action.trim().split("[\\s(;]", 2)[0].toLowerCase(Locale.ROOT);
            // Postfix's address verification (sendmail -bv) reports "deliverable" and "undeliverable"
            if (word.equals("deliverable")) {
                return "delivered";
            }
            if (word.equals("undeliverable") || word.equals("expired")) {
                return "failed";
            }
            if (!word.isEmpty()) {
                return word;
            }
        }
        if (status == null || status.startsWith("5")) {
            return "failed";
        }
        return status.startsWith("4") ? "delayed" : "delivered";
    }

    /** @return the first enhanced status code in the text, or null */
    static String status(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = STATUS.matcher(text);
        return m.find() ? m.group() : null;
    }

    /** @return the reply code a server's reply in the text starts with, or -1 */
    static int replyCode(String text) {
        if (text == null) {
            return -1;
        }
        Matcher m = REPLY_CODE.matcher(text);
        while (m.find()) {
            int start = m.start(1);
            int end = m.end(1);
            // "2606:2800:220:6d::" is an IPv6 address, not a reply
            if (start > 0 && text.charAt(start - 1) == ':' && end < text.length() && text.charAt(end) == ':') {
                continue;
            }
            return Integer.parseInt(m.group(1));
        }
        return -1;
    }

    /** "rfc822; a@b" as "a@b"; "smtp; 550 ..." as "550 ...". */
    static String withoutType(String value) {
        if (value == null) {
            return null;
        }
        int semicolon = value.indexOf(';');
        if (semicolon > 0 && semicolon < 20 && value.substring(0, semicolon).trim().matches("[A-Za-z0-9-]+")) {
            value = value.substring(semicolon + 1);
        }
        return value.trim();
    }

    private static String address(String value, boolean xtext) {
        String address = withoutType(value);
        if (address == null) {
            return null;
        }
        address = address.replaceAll("^<|>$", "").trim();
        if (address.isEmpty()) {
            return null;
        }
        return xtext ? xtextDecoded(address) : address;
    }

    /** RFC 3461's xtext, as ORCPT and ENVID travel: "+2B" as "+". */
    static String xtextDecoded(String value) {
        if (value == null || value.indexOf('+') < 0) {
            return value;
        }
        Matcher m = Pattern.compile("\\+([0-9A-F]{2})").matcher(value);
        StringBuilder decoded = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(decoded, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
        }
        m.appendTail(decoded);
        return decoded.toString();
    }

    /** The lines of a header block, each continuation line joined to the line it continues. */
    static List<String> unfold(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (!lines.isEmpty() && !line.isBlank() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')
                && !lines.get(lines.size() - 1).isBlank()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + line.trim());
            } else {
                lines.add(line);
            }
        }
        return lines;
    }
}
