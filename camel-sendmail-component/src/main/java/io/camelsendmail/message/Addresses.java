package io.camelsendmail.message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import io.camelsendmail.InvalidMessageException;

/**
 * The one place where addresses and header values from options and exchange headers are checked and parsed.
 */
public final class Addresses {

    private Addresses() {
    }

    /** Refuses a CR or LF in a value that will become a header or an SMTP command. */
    public static String checkNoLineBreak(String name, String value) throws InvalidMessageException {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw invalid(name + " contains a CR or LF character, which could inject headers or SMTP commands: "
                          + printable(value));
        }
        return value;
    }

    /** Parses a comma-separated list, an array or a collection of addresses. Null or blank gives an empty list. */
    public static List<InternetAddress> parseList(String name, Object value) throws InvalidMessageException {
        List<InternetAddress> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        if (value instanceof Address[] array) {
            for (Address a : array) {
                result.addAll(parseList(name, a));
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object o : collection) {
                result.addAll(parseList(name, o));
            }
        } else if (value instanceof InternetAddress address) {
            result.add(checked(name, address));
        } else {
            String text = checkNoLineBreak(name, value.toString());
            if (text.isBlank()) {
                return result;
            }
            try {
                for (InternetAddress a : InternetAddress.parse(text, true)) {
                    result.add(checked(name, a));
                }
            } catch (AddressException e) {
                throw invalid(name + " is not a valid address list: '" + text + "': " + e.getMessage());
            }
        }
        return result;
    }

    /** Parses exactly one address; null when the value is null or blank. */
    public static InternetAddress parseOne(String name, Object value) throws InvalidMessageException {
        List<InternetAddress> list = parseList(name, value);
        if (list.size() > 1) {
            throw invalid(name + " must be one address, got " + list.size() + ": " + value);
        }
        return list.isEmpty() ? null : list.get(0);
    }

    /** Removes repeated addresses (compared without case), keeping the first occurrence and the order. */
    static List<InternetAddress> distinct(List<InternetAddress> addresses) {
        Map<String, InternetAddress> seen = new LinkedHashMap<>();
        for (InternetAddress a : addresses) {
            seen.putIfAbsent(a.getAddress().toLowerCase(Locale.ROOT), a);
        }
        return new ArrayList<>(seen.values());
    }

    public static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static InternetAddress checked(String name, InternetAddress address) throws InvalidMessageException {
        checkNoLineBreak(name, address.getAddress());
        checkNoLineBreak(name, address.getPersonal());
        if (address.isGroup()) {
            throw invalid(name + " contains a group address, which cannot be an SMTP recipient: " + address);
        }
        try {
            address.validate();
        } catch (AddressException e) {
            throw invalid(name + " is not a valid address: '" + address.getAddress() + "': " + e.getMessage());
        }
        return address;
    }

    /**
     * @return the value in quotes as an error message may show it: CR and LF as {@code \r} and {@code \n}, other control
     *         characters as {@code \}{@code uXXXX}, so that a value cannot forge a line of the log it is written to
     */
    public static String printable(String value) {
        StringBuilder shown = new StringBuilder(value.length() + 2).append('\'');
        for (char c : value.toCharArray()) {
            if (c == '\r') {
                shown.append("\\r");
            } else if (c == '\n') {
                shown.append("\\n");
            } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        return shown.append('\'').toString();
    }

    public static InvalidMessageException invalid(String message) {
        return new InvalidMessageException(message, null, -1, false, null, null);
    }
}
