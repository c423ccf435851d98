package io.camelsendmail.smtp;

import java.util.Locale;
import java.util.Set;

import io.camelsendmail.message.Addresses;

/**
 * What a message asks of delivery status notifications (RFC 3461): when to notify each recipient's sender, how much of
 * the message to return, and an envelope id to find it by. Sent only where the server offers DSN.
 *
 * @param notifyOn {@code NEVER}, or any of {@code SUCCESS,FAILURE,DELAY}, comma-separated; null for the server's default
 * @param ret    {@code FULL} or {@code HDRS}; null for the server's default
 * @param envid  the envelope id, printable ASCII; null for none
 * @param asked  whether the message or the endpoint asked for any of these (rather than only the envelope id this
 *               component gives every message): only then does {@code dsnRequired} hold it back from a server without
 *               DSN
 */
public record Dsn(String notifyOn, String ret, String envid, boolean asked) {

    private static final Set<String> NOTIFY = Set.of("SUCCESS", "FAILURE", "DELAY");

    /**
     * @return the parameters checked and in their canonical case, or null when none is set
     * @throws IllegalArgumentException naming the parameter that is not what RFC 3461 allows
     */
    public static Dsn of(String notify, String ret, String envid) {
        String n = blankAsNull(notify);
        String r = blankAsNull(ret);
        String e = blankAsNull(envid);
        if (n == null && r == null && e == null) {
            return null;
        }
        if (n != null) {
            n = n.replace(" ", "").toUpperCase(Locale.ROOT);
            if (!n.equals("NEVER")) {
                for (String value : n.split(",")) {
                    if (!NOTIFY.contains(value)) {
                        throw new IllegalArgumentException("dsnNotify must be NEVER, or SUCCESS, FAILURE and DELAY "
                                                           + "comma-separated, got " + Addresses.printable(notify));
                    }
                }
            }
        }
        if (r != null) {
            r = r.toUpperCase(Locale.ROOT);
            if (!r.equals("FULL") && !r.equals("HDRS")) {
                throw new IllegalArgumentException("dsnRet must be FULL or HDRS, got " + Addresses.printable(ret));
            }
        }
        if (e != null && (e.length() > 100 || !e.chars().allMatch(c -> c >= 32 && c < 127))) {
            throw new IllegalArgumentException("dsnEnvid must be at most 100 printable ASCII characters, got " + Addresses.printable(envid));
        }
        return new Dsn(n, r, e, true);
    }

    /**
     * @param dsn       what the message or endpoint asks for, or null
     * @param messageId the message's Message-ID
     * @return the same, with the Message-ID's left-hand side as its envelope id where none was given: a delivery
     *         status notification about the message then names it
     */
    public static Dsn identifying(Dsn dsn, String messageId) {
        if (dsn != null && dsn.envid() != null || messageId == null) {
            return dsn;
        }
        String id = messageId.trim().replaceAll("^<|>$", "");
        int at = id.lastIndexOf('@');
        if (at > 0) {
            id = id.substring(0, at);
        }
        id = id.chars().filter(c -> c >= 32 && c < 127).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
        if (id.isEmpty()) {
            return dsn;
        }
        // ENVID is at most 100 characters once xtext-encoded (RFC 3461)
        while (xtext(id).length() > 100) {
            id = id.substring(0, id.length() - 1);
        }
        return dsn == null ? new Dsn(null, null, id, false) : new Dsn(dsn.notifyOn(), dsn.ret(), id, dsn.asked());
    }

    /** The parameters of MAIL FROM: RET and ENVID. */
    String mailParameters() {
        return (ret != null ? " RET=" + ret : "") + (envid != null ? " ENVID=" + xtext(envid) : "");
    }

    /** The parameters of one RCPT TO: NOTIFY, and ORCPT naming the recipient as given. */
    String rcptParameters(String recipient) {
        StringBuilder parameters = new StringBuilder();
        if (notifyOn != null) {
            parameters.append(" NOTIFY=").append(notifyOn);
        }
        if (recipient.chars().allMatch(c -> c < 128)) {
            parameters.append(" ORCPT=rfc822;").append(xtext(recipient));
        }
        return parameters.toString();
    }

    /** RFC 3461's xtext: '+', '=' and characters outside '!' to '~' as "+XX". */
    static String xtext(String value) {
        StringBuilder encoded = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c < '!' || c > '~' || c == '+' || c == '=') {
                encoded.append('+').append(String.format("%02X", (int) c));
            } else {
                encoded.append(c);
            }
        }
        return encoded.toString();
    }

    private static String blankAsNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
