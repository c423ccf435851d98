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
 */
public record Dsn(String notifyOn, String ret, String envid) {

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
        return new Dsn(n, r, e);
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
