package io.camelsendmail.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsendmail.DeliveryReport;

/**
 * The recipients, statuses and diagnostics of a bounce written for people (Postfix, Exim, qmail, Sendmail, Exchange,
 * Gmail, Yahoo and the like) rather than as RFC 3464 fields. Every such bounce names each failed recipient at the start
 * of a line ({@code <a@b>:}, {@code   a@b}, {@code a@b<mailto:a@b>}, {@code RCPT To:<a@b>}) with the server's words
 * after it; what follows one recipient up to the next is its block.
 */
final class TextBounce {

    static final Pattern ADDRESS = Pattern.compile(
            "[\\p{L}\\p{N}!#$%&'*+=?^_`{|}~-][\\p{L}\\p{N}.!#$%&'*+=?^_`{|}~-]*@[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?"
            + "(?:\\.[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?)+");

    /** Where the returned message (or its headers) starts in the text: nothing after it is about the delivery. */
    private static final Pattern ORIGINAL = Pattern.compile(
            "^[ \\t]*(?:[-=_*]{2,}[ \\t]*)?(?:this is a copy of|below this line is a copy|original message|unsent message"
            + "|returned message|the original message (?:is|follows|headers)|message headers? follows?|original message headers"
            + "|headers of the original|content-type: message/rfc822|included is a copy|a copy of the original"
            + "|the header of the original|this is a copy of the headers|your message reads)",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    /** What may stand before a recipient at the start of its line. */
    private static final Pattern LEAD = Pattern.compile(
            "^[ \\t>*\\-]*(?:(?:rcpt to|recipient(?: address)?|original-recipient|final-recipient|failed recipient|"
            + "failed address(?:es)?|invalid recipient|address|mailbox)[ \\t]*:[ \\t]*)?(?:rfc822;[ \\t]*)?"
            + "(?:[245]\\d\\d[ -](?:[245]\\.\\d{1,3}\\.\\d{1,3}[ \\t]+)?)?[<\"'(\\[]*",
            Pattern.CASE_INSENSITIVE);

    /** Header lines whose addresses are never a failed recipient's. */
    private static final Pattern NOT_RECIPIENTS = Pattern.compile(
            "^[ \\t]*(?:message-id|in-reply-to|references|received|from|sender|return-path|reply-to|dkim-signature"
            + "|x-[a-z0-9-]+)[ \\t]*:.*$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private static final Pattern REMOTE = Pattern.compile(
            "(?:host|server|mx)[ \\t]+\\[?([A-Za-z0-9](?:[A-Za-z0-9-]*\\.)+[A-Za-z0-9-]*[A-Za-z0-9])\\]?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern REPORTING = Pattern.compile(
            "(?:mail system|program|generating server|mailer-daemon|delivery system) at (?:host )?:?[ \\t]*"
            + "([A-Za-z0-9](?:[A-Za-z0-9-]*\\.)+[A-Za-z0-9-]*[A-Za-z0-9])|generating server:[ \\t]*"
            + "([A-Za-z0-9](?:[A-Za-z0-9-]*\\.)+[A-Za-z0-9-]*[A-Za-z0-9])",
            Pattern.CASE_INSENSITIVE);

    private TextBounce() {
    }

    /** @return the text before the returned message */
    static String beforeOriginal(String text) {
        Matcher m = ORIGINAL.matcher(text);
        return m.find() ? text.substring(0, m.start()) : text;
    }

    /**
     * @param text              the bounce's words, without the returned message
     * @param subject           the bounce's subject, for its tone (delay or failure); may be null
     * @param excluded          addresses that are not recipients (the bounce's own sender and addressee, the returned
     *                          message's sender), lower case
     * @param originalMessageId the returned message's Message-ID, or null
     * @return one report per recipient the text names, empty when it names none
     */
    static List<DeliveryReport> parse(String text, String subject, Set<String> excluded, String originalMessageId) {
        String[] lines = text.split("\r\n|\r|\n", -1);
        Map<String, StringBuilder> blocks = new LinkedHashMap<>();
        Map<String, String> spelled = new LinkedHashMap<>();
        String current = null;
        int firstRecipientLine = -1;
        for (int i = 0; i < lines.length; i++) {
            String recipient = recipientAtStart(lines[i], excluded);
            if (recipient != null) {
                current = recipient.toLowerCase(Locale.ROOT);
                spelled.putIfAbsent(current, recipient);
                if (firstRecipientLine < 0) {
                    firstRecipientLine = i;
                }
            }
            if (current != null) {
                blocks.computeIfAbsent(current, k -> new StringBuilder()).append(lines[i]).append('\n');
            }
        }
        if (blocks.isEmpty()) {
            // no line starts with one: every other address in the words ("Your message to a@b couldn't be delivered")
            // ... but not a Message-ID, or the sender of a returned header block the text did not mark
            Matcher m = ADDRESS.matcher(NOT_RECIPIENTS.matcher(text).replaceAll(""));
            while (m.find()) {
                String address = trimmed(m.group());
                String key = address.toLowerCase(Locale.ROOT);
                if (!excluded(key, excluded) && !spelled.containsKey(key)) {
                    spelled.put(key, address);
                    blocks.put(key, new StringBuilder(text));
                }
            }
            firstRecipientLine = 0;
        }
        String preamble = String.join("\n", java.util.Arrays.asList(lines).subList(0, Math.max(0, firstRecipientLine)));
        String tone = (subject != null ? subject + "\n" : "") + preamble;
        String shared = diagnostic(text);
        Matcher reporting = REPORTING.matcher(text);
        String reportingMta = reporting.find() ? (reporting.group(1) != null ? reporting.group(1) : reporting.group(2)) : null;

        List<DeliveryReport> reports = new ArrayList<>();
        for (Map.Entry<String, StringBuilder> block : blocks.entrySet()) {
            reports.add(report(spelled.get(block.getKey()), block.getValue().toString(), shared, tone, reportingMta,
                    originalMessageId));
        }
        return reports;
    }

    /**
     * @return a report for each of the recipients a bounce is about without naming them, from its words as a whole
     */
    static List<DeliveryReport> forRecipients(List<String> recipients, String text, String subject,
                                              String originalMessageId) {
        String tone = (subject != null ? subject + "\n" : "") + text;
        String shared = diagnostic(text);
        Matcher reporting = REPORTING.matcher(text);
        String reportingMta = reporting.find() ? (reporting.group(1) != null ? reporting.group(1) : reporting.group(2)) : null;
        List<DeliveryReport> reports = new ArrayList<>();
        for (String recipient : recipients) {
            reports.add(report(recipient, "", shared != null ? shared : firstParagraphAfter("\n" + text), tone,
                    reportingMta, originalMessageId));
        }
        return reports;
    }

    private static DeliveryReport report(String recipient, String words, String shared, String tone, String reportingMta,
                                         String originalMessageId) {
        String diagnostic = diagnostic(words);
        if (diagnostic == null) {
            // the words under the address ("Unrouteable address"), else what the bounce says for all its recipients
            diagnostic = firstParagraphAfter(words);
            if (diagnostic == null || shared != null && diagnostic.length() < 8) {
                diagnostic = shared;
            }
        }
        int replyCode = StatusFields.replyCode(diagnostic);
        String status = StatusFields.status(diagnostic);
        boolean inferred = false;
        if (status == null) {
            status = inferred(diagnostic, replyCode, tone);
            inferred = true;
        }
        boolean delayed = status.startsWith("4") && Inference.delayed(tone + "\n" + words);
        String action = status.startsWith("2") ? "delivered" : delayed ? "delayed" : "failed";
        Matcher remote = diagnostic != null ? REMOTE.matcher(diagnostic) : null;
        return new DeliveryReport(originalMessageId, null, recipient, null, action, status, diagnostic, replyCode,
                remote != null && remote.find() ? remote.group(1) : null, reportingMta, null,
                "failed".equals(action) && status.startsWith("5"), inferred);
    }

    private static String inferred(String diagnostic, int replyCode, String tone) {
        String status = Inference.fromWords(diagnostic, replyCode);
        if (status == null) {
            status = Inference.fromWords(tone, -1);
        }
        if (status == null) {
            status = "5.0.0";
        }
        if (replyCode < 0 && status.startsWith("5") && Inference.delayed(tone)) {
            status = "4" + status.substring(1);
        }
        return status;
    }

    /** @return the address a line starts with, when it is one that is not excluded */
    static String recipientAtStart(String line, Set<String> excluded) {
        if (line.isBlank() || line.indexOf('@') < 0) {
            return null;
        }
        Matcher lead = LEAD.matcher(line);
        int from = lead.lookingAt() ? lead.end() : 0;
        Matcher m = ADDRESS.matcher(line);
        m.region(from, line.length());
        if (!m.lookingAt()) {
            return null;
        }
        String address = trimmed(m.group());
        // a header line of the returned message ("From: a@b") is not a recipient line
        if (line.regionMatches(true, 0, "from:", 0, 5) || line.regionMatches(true, 0, "reply-to:", 0, 9)
            || excluded(address.toLowerCase(Locale.ROOT), excluded)) {
            return null;
        }
        return address;
    }

    private static boolean excluded(String address, Set<String> excluded) {
        if (excluded.contains(address)) {
            return true;
        }
        String local = address.substring(0, address.indexOf('@'));
        return local.equals("mailer-daemon") || local.equals("postmaster") || local.equals("mail-daemon");
    }

    private static String trimmed(String address) {
        while (address.endsWith(".") || address.endsWith("-")) {
            address = address.substring(0, address.length() - 1);
        }
        return address;
    }

    /** @return the paragraph where the first reply code or status stands, from that line on, or null */
    static String diagnostic(String words) {
        String[] lines = words.split("\n", -1);
        // a refusal first: a transcript starts with the server's 220 and 250s
        for (boolean anyCode : new boolean[] { false, true }) {
            String found = diagnostic(lines, anyCode);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String diagnostic(String[] lines, boolean anyCode) {
        for (int i = 0; i < lines.length; i++) {
            int code = StatusFields.replyCode(lines[i]);
            String status = StatusFields.status(lines[i]);
            boolean refusal = code >= 400 || status != null && status.charAt(0) != '2';
            if (anyCode ? code > 0 || status != null : refusal) {
                StringBuilder paragraph = new StringBuilder(lines[i].trim());
                for (int j = i + 1; j < lines.length && !lines[j].isBlank() && paragraph.length() < 1000; j++) {
                    if (recipientAtStart(lines[j], Set.of()) != null && ADDRESS.matcher(lines[j].trim()).matches()) {
                        break;
                    }
                    paragraph.append(' ').append(lines[j].trim());
                }
                return collapsed(paragraph.toString());
            }
        }
        return null;
    }

    private static String firstParagraphAfter(String block) {
        if (block.isEmpty()) {
            return null;
        }
        String[] lines = block.split("\n", -1);
        StringBuilder paragraph = new StringBuilder();
        String first = lines[0].replaceFirst(ADDRESS.pattern(), "").replaceAll("[<>:\"]|mailto", "").trim();
        paragraph.append(first);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                if (paragraph.toString().isBlank()) {
                    continue;
                }
                break;
            }
            paragraph.append(' ').append(lines[i].trim());
        }
        String text = collapsed(paragraph.toString());
        return text.isEmpty() ? null : text;
    }

    private static String collapsed(String text) {
        String collapsed = text.replaceAll("\\s+", " ").trim();
        return collapsed.length() > 1000 ? collapsed.substring(0, 1000) : collapsed;
    }
}
