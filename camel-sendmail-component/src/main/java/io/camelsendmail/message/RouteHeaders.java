package io.camelsendmail.message;

import java.io.UnsupportedEncodingException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailConstants;
import org.apache.camel.Message;

/**
 * Mail headers the route asks for: exchange headers named {@code CamelSendmailHeader.<Name>}, and the Map header
 * {@code CamelSendmailHeaders}. No other exchange header becomes a mail header. Envelope, structure and trace headers
 * cannot be set this way; a value with CR or LF is refused, and a non-ASCII value is encoded (RFC 2047).
 */
final class RouteHeaders {

    /** Set by their own options and headers (From, To, ...), by the message's structure, or by servers on the way. */
    private static final Set<String> REFUSED = Set.of("bcc", "content-length", "received", "return-path", "from", "to", "cc",
            "reply-to", "subject", "sender", "mime-version", "content-type", "content-transfer-encoding", "dkim-signature");

    private RouteHeaders() {
    }

    /** @return the mail headers the exchange asks for, checked, in a stable order */
    static Map<String, String> of(Message in) throws InvalidMessageException {
        Map<String, String> headers = new LinkedHashMap<>();
        Object map = in.getHeader(SendmailConstants.HEADERS);
        if (map != null) {
            if (!(map instanceof Map<?, ?> given)) {
                throw Addresses.invalid("header " + SendmailConstants.HEADERS + " must be a Map of header names to values, got "
                                        + map.getClass().getName());
            }
            for (Map.Entry<?, ?> entry : given.entrySet()) {
                add(headers, String.valueOf(entry.getKey()), entry.getValue());
            }
        }
        // exchange headers are case-insensitive: sorted, for the same order every time
        Map<String, Object> prefixed = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        in.getHeaders().forEach((name, value) -> {
            if (name.regionMatches(true, 0, SendmailConstants.HEADER_PREFIX, 0, SendmailConstants.HEADER_PREFIX.length())) {
                prefixed.put(name.substring(SendmailConstants.HEADER_PREFIX.length()), value);
            }
        });
        for (Map.Entry<String, Object> entry : prefixed.entrySet()) {
            add(headers, entry.getKey(), entry.getValue());
        }
        return headers;
    }

    private static void add(Map<String, String> headers, String name, Object value) throws InvalidMessageException {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw Addresses.invalid(Addresses.printable(name) + " is not a mail header name (printable ASCII, no colon)");
        }
        if (REFUSED.contains(name.toLowerCase(Locale.ROOT))) {
            throw Addresses.invalid("the mail header " + name + " cannot be set from " + SendmailConstants.HEADER_PREFIX
                                    + "* or " + SendmailConstants.HEADERS + ": it is set by its own option or header, "
                                    + "by the message's structure, or by the servers on the way");
        }
        if (value != null) {
            headers.put(name, Addresses.checkNoLineBreak("mail header " + name, value.toString()));
        }
    }

    /** Sets each header on the message, replacing one of the same name. */
    static void apply(Map<String, String> headers, MimeMessage message) throws MessagingException {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String value = header.getValue();
            if (!Addresses.isAscii(value)) {
                try {
                    value = MimeUtility.fold(header.getKey().length() + 2, MimeUtility.encodeText(value, "UTF-8", "Q"));
                } catch (UnsupportedEncodingException e) {
                    throw new MessagingException("cannot encode the header " + header.getKey(), e);
                }
            }
            message.setHeader(header.getKey(), value);
        }
    }
}
