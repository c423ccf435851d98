package io.camelsendmail.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsendmail.DeliveryReport;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;

/**
 * Reads a received message as a delivery report, in bounded memory: each part it reads is read up to a limit
 * ({@value #TEXT_MAX} bytes of text, {@value #HEADERS_MAX} of returned headers), and a returned message is never read
 * past its headers.
 * <ol>
 * <li>an RFC 3464 report: any {@code message/delivery-status} (or {@code message/global-delivery-status}) part outside
 * a returned message, with the returned message's Message-ID;</li>
 * <li>a feedback report (RFC 5965) or a read receipt (RFC 8098): recognised, no report;</li>
 * <li>a bounce written for people: from a mailer daemon, or with a bounce's subject, naming recipients;</li>
 * <li>an auto-reply (RFC 3834, and the headers out-of-office replies carry): recognised, no report.</li>
 * </ol>
 */
public final class ReportReader {

    /** What a message is, as far as delivery reports go. */
    public enum Kind {
        DELIVERY_STATUS, BOUNCE, AUTO_REPLY, FEEDBACK_REPORT, READ_RECEIPT, NONE
    }

    /** A message's kind and its reports (none but for a delivery status or a bounce). */
    public record Result(Kind kind, List<DeliveryReport> reports) {
    }

    static final int TEXT_MAX = 256 * 1024;
    static final int HEADERS_MAX = 64 * 1024;
    private static final int DEPTH_MAX = 8;

    private static final Pattern DAEMON = Pattern.compile(
            "mailer-daemon|mail-daemon|postmaster|mail delivery|maildelivery|delivery subsystem|mail administrator"
            + "|mail system|mailer_daemon|double-bounce|bounce", Pattern.CASE_INSENSITIVE);
    private static final Pattern BOUNCE_SUBJECT = Pattern.compile(
            "undeliver|undelivered|delivery (status notification|failure|failed|has failed|problem|notification)"
            + "|mail delivery|returned mail|failure notice|non[- ]?deliver|could not (be )?deliver|delivery error"
            + "|mail system error|returned to sender|rejected|delivery report|message not delivered|unzustellbar"
            + "|échec|failed delivery|delivery incomplete|permanent error|mail failure|warning: message|delayed mail"
            + "|delivery delayed|not delivered|bounce|error sending|unable to deliver|message you sent",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern AUTO_REPLY_SUBJECT = Pattern.compile(
            "^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|vacation|away from)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BOUNCE_WORDS = Pattern.compile(
            "could not be delivered|undeliverable|delivery (has )?failed|permanent (fatal )?error|not be delivered"
            + "|unable to deliver|failed recipient|message was not delivered|delivery to the following recipient"
            + "|following address(es)? failed|remote host said|smtp error|giving up|wasn'?t delivered"
            + "|couldn'?t be delivered|delivery failure|returned mail|error delivering|delivery status notification"
            + "|(^|\\s)[45]\\d\\d[ -][45]\\.\\d{1,3}\\.\\d{1,3}", Pattern.CASE_INSENSITIVE);
    private static final Pattern FIELDS = Pattern.compile("^(final|original)-recipient:",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern HEADER_LINE = Pattern.compile("^[A-Za-z][A-Za-z0-9-]*:[ \\t]", Pattern.MULTILINE);
    private static final Pattern MESSAGE_ID = Pattern.compile("^message-id:[ \\t]*(<[^>\\s]+>)",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private static final Session SESSION = session();

    private ReportReader() {
    }

    private static Session session() {
        Properties properties = new Properties();
        // a report's malformed multipart (no closing boundary) is read as far as it goes
        properties.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        properties.setProperty("mail.mime.allowutf8", "true");
        return Session.getInstance(properties);
    }

    /** @return a session to parse a message from a stream with, as this reader expects */
    public static Session parsingSession() {
        return SESSION;
    }

    /** What a walk of the message's parts found. */
    private static final class Found {
        final List<String> statusParts = new ArrayList<>();
        String returnedHeaders;
        String text;
        String html;
        String reportType;
        boolean feedback;
        boolean receipt;
    }

    /**
     * @param message a received message
     * @return its kind and reports; never throws for a message that can be read
     * @throws MessagingException where the message cannot be read at all (its source fails)
     */
    public static Result read(MimeMessage message) throws MessagingException {
        Found found = new Found();
        try {
            walk(message, found, 0);
        } catch (IOException e) {
            throw new MessagingException("the message could not be read: " + e.getMessage(), e);
        }
        String originalId = found.returnedHeaders != null ? messageId(found.returnedHeaders) : null;
        if (!found.statusParts.isEmpty()) {
            List<DeliveryReport> reports = new ArrayList<>();
            for (String part : found.statusParts) {
                reports.addAll(StatusFields.parse(part, originalId));
            }
            if (!reports.isEmpty()) {
                return new Result(Kind.DELIVERY_STATUS, reports);
            }
        }
        if (found.statusParts.isEmpty() && found.text != null) {
            // a report whose parts lost their MIME structure (no Content-Type at the top): its fields are in the text
            Matcher fields = FIELDS.matcher(found.text);
            if (fields.find()) {
                List<DeliveryReport> reports = StatusFields.parse(found.text.substring(fields.start()), originalId);
                if (!reports.isEmpty()) {
                    return new Result(Kind.DELIVERY_STATUS, reports);
                }
            }
        }
        SesNotification.Type ses = SesNotification.type(found.text);
        if (ses == SesNotification.Type.COMPLAINT) {
            return new Result(Kind.FEEDBACK_REPORT, List.of());
        }
        if (ses != null) {
            List<DeliveryReport> reports = SesNotification.reports(found.text);
            if (!reports.isEmpty()) {
                return new Result(Kind.DELIVERY_STATUS, reports);
            }
        }
        if (found.feedback) {
            return new Result(Kind.FEEDBACK_REPORT, List.of());
        }
        if (found.receipt) {
            return new Result(Kind.READ_RECEIPT, List.of());
        }
        String subject = decoded(header(message, "Subject"));
        String from = header(message, "From");
        String text = found.text != null ? found.text : found.html != null ? Html.text(found.html) : null;
        boolean fromDaemon = from != null && DAEMON.matcher(from).find()
                             || subject != null && BOUNCE_SUBJECT.matcher(subject).find()
                             || "delivery-status".equalsIgnoreCase(found.reportType);
        // a message to the null sender or sent automatically is a bounce only where its words are a bounce's: an
        // out-of-office reply is sent the same way
        boolean automatic = "<>".equals(trimmed(header(message, "Return-Path"))) || autoReply(message, subject);
        if (text != null && (fromDaemon || automatic && BOUNCE_WORDS.matcher(text).find()
                                           && !(subject != null && AUTO_REPLY_SUBJECT.matcher(subject.trim()).find()))) {
            String words = TextBounce.beforeOriginal(text);
            if (originalId == null) {
                originalId = messageId(text.substring(words.length()));
            }
            Set<String> excluded = excluded(message, found.returnedHeaders != null ? found.returnedHeaders
                                                                                    : text.substring(words.length()));
            List<DeliveryReport> reports = TextBounce.parse(words, subject, excluded, originalId);
            if (reports.isEmpty() && fromDaemon) {
                // a bounce that names no recipient in its words (Google Groups, "delivery report unavailable"): the
                // returned message's own recipients are those it is about
                String returned = found.returnedHeaders != null ? found.returnedHeaders : text.substring(words.length());
                reports = TextBounce.forRecipients(returnedRecipients(returned, excluded), words, subject, originalId);
            }
            if (!reports.isEmpty()) {
                return new Result(Kind.BOUNCE, reports);
            }
        }
        if (autoReply(message, subject)) {
            return new Result(Kind.AUTO_REPLY, List.of());
        }
        return new Result(Kind.NONE, List.of());
    }

    private static boolean autoReply(MimeMessage message, String subject) {
        String auto = header(message, "Auto-Submitted");
        if (auto != null && auto.trim().toLowerCase(Locale.ROOT).startsWith("auto-replied")) {
            return true;
        }
        for (String name : List.of("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply", "X-Autoreply-From",
                "X-Mail-Autoreply")) {
            if (header(message, name) != null) {
                return true;
            }
        }
        String precedence = header(message, "Precedence");
        if (precedence != null && precedence.trim().equalsIgnoreCase("auto_reply")) {
            return true;
        }
        return subject != null && AUTO_REPLY_SUBJECT.matcher(subject.trim()).find();
    }

    private static void walk(Part part, Found found, int depth) throws MessagingException, IOException {
        ContentType type = contentType(part);
        String base = type.getBaseType().toLowerCase(Locale.ROOT);
        if (base.startsWith("multipart/")) {
            if (base.equals("multipart/report")) {
                String reportType = type.getParameter("report-type");
                if (reportType != null) {
                    found.reportType = reportType.trim().toLowerCase(Locale.ROOT);
                    found.feedback |= found.reportType.equals("feedback-report");
                    found.receipt |= found.reportType.equals("disposition-notification");
                }
            }
            if (depth >= DEPTH_MAX) {
                return;
            }
            Object content;
            try {
                content = part.getContent();
            } catch (MessagingException e) {
                // a multipart whose boundaries are broken: its text is all there is, with any report fields in it
                String raw = text(part, TEXT_MAX, StandardCharsets.ISO_8859_1);
                if (FIELDS.matcher(raw).find()) {
                    found.statusParts.add(raw);
                }
                if (found.text == null) {
                    found.text = raw;
                }
                return;
            }
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart body = multipart.getBodyPart(i);
                    walk(body, found, depth + 1);
                }
            }
            return;
        }
        switch (base) {
        case "message/delivery-status", "message/global-delivery-status" -> found.statusParts.add(
                text(part, TEXT_MAX, base.contains("global") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        case "message/feedback-report" -> found.feedback = true;
        case "message/disposition-notification", "message/global-disposition-notification" -> found.receipt = true;
        case "text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers",
                "text/rfc822-header", "message/partial" -> {
            if (found.returnedHeaders == null) {
                found.returnedHeaders = headerBlock(text(part, HEADERS_MAX, StandardCharsets.UTF_8));
            }
        }
        case "text/plain" -> {
            if (found.text == null && !isAttachment(part)) {
                found.text = text(part, TEXT_MAX, charset(type));
            }
        }
        case "text/html" -> {
            if (found.html == null && !isAttachment(part)) {
                found.html = text(part, TEXT_MAX, charset(type));
            }
        }
        default -> {
            if (depth == 0 && found.text == null && (base.startsWith("text/") || base.isEmpty())) {
                found.text = text(part, TEXT_MAX, charset(type));
            }
        }
        }
    }

    private static boolean isAttachment(Part part) throws MessagingException {
        String disposition = part.getDisposition();
        return disposition != null && disposition.equalsIgnoreCase(Part.ATTACHMENT) && part.getFileName() != null;
    }

    private static ContentType contentType(Part part) {
        try {
            String value = part.getContentType();
            return new ContentType(value != null ? value : "text/plain");
        } catch (MessagingException e) {
            // a content type that does not parse: read the part as text, as RFC 2045 says
            try {
                return new ContentType("text/plain");
            } catch (ParseException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private static Charset charset(ContentType type) {
        String name = type.getParameter("charset");
        if (name != null) {
            try {
                return Charset.forName(MimeUtility.javaCharset(name.trim()));
            } catch (RuntimeException e) {
                // an unknown charset: the ASCII of the words is all that is needed
            }
        }
        return StandardCharsets.ISO_8859_1;
    }

    /** @return the part's decoded content as text, at most {@code max} bytes of it */
    private static String text(Part part, int max, Charset charset) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while (out.size() < max && (n = in.read(buffer, 0, Math.min(buffer.length, max - out.size()))) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toString(charset);
        } catch (IOException | MessagingException e) {
            // an encoding that does not decode (a broken base64 line, say): the raw bytes still hold the words
            InputStream raw = part instanceof jakarta.mail.internet.MimeBodyPart body ? body.getRawInputStream()
                    : part instanceof MimeMessage message ? message.getRawInputStream() : null;
            if (raw == null) {
                throw e;
            }
            try (raw) {
                return new String(raw.readNBytes(max), charset);
            }
        }
    }

    /** @return the header section of a returned message or header part */
    private static String headerBlock(String text) {
        Matcher end = Pattern.compile("\r?\n\r?\n").matcher(text);
        return end.find() ? text.substring(0, end.start()) : text;
    }

    /** @return the header section of a returned message, past any line that announces it */
    private static String headerSection(String returned) {
        Matcher start = HEADER_LINE.matcher(returned);
        return start.find() ? headerBlock(returned.substring(start.start())) : "";
    }

    static String messageId(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = MESSAGE_ID.matcher(String.join("\n", StatusFields.unfold(text)));
        return m.find() ? m.group(1) : null;
    }

    /** The bounce's own sender and addressee, and the returned message's sender: never its failed recipients. */
    private static Set<String> excluded(MimeMessage message, String returned) {
        Set<String> excluded = new HashSet<>();
        for (String name : List.of("From", "To", "Reply-To", "Sender")) {
            String value = header(message, name);
            addAddresses(value, excluded);
        }
        if (returned != null) {
            for (String line : StatusFields.unfold(headerSection(returned))) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("from:") || lower.startsWith("sender:") || lower.startsWith("return-path:")) {
                    addAddresses(line.substring(line.indexOf(':') + 1), excluded);
                }
            }
        }
        return excluded;
    }

    /** @return the addresses in the To and Cc fields of a returned message's headers */
    private static List<String> returnedRecipients(String returned, Set<String> excluded) {
        List<String> recipients = new ArrayList<>();
        for (String line : StatusFields.unfold(headerSection(returned))) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("to:") || lower.startsWith("cc:")) {
                Matcher m = TextBounce.ADDRESS.matcher(line.substring(3));
                while (m.find()) {
                    String address = m.group();
                    if (!excluded.contains(address.toLowerCase(Locale.ROOT)) && !recipients.contains(address)) {
                        recipients.add(address);
                    }
                }
            }
        }
        return recipients;
    }

    private static void addAddresses(String value, Set<String> into) {
        if (value == null) {
            return;
        }
        Matcher m = TextBounce.ADDRESS.matcher(value);
        while (m.find()) {
            into.add(m.group().toLowerCase(Locale.ROOT));
        }
    }

    private static String header(MimeMessage message, String name) {
        try {
            return message.getHeader(name, ",");
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String decoded(String value) {
        if (value == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(value));
        } catch (IOException | RuntimeException e) {
            return value;
        }
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }
}
