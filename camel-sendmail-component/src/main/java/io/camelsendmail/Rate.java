package io.camelsendmail;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The option rateLimit: a number of messages per unit of time, {@code 30/min}, {@code 2/s}, {@code 2000/day}. Public
 * for an application that paces with the same words (a rate shared by a group of instances, say).
 */
public final class Rate {

    private static final Pattern RATE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*/\\s*([a-z]+)\\s*");
    private static final Map<String, Integer> SECONDS = Map.ofEntries(Map.entry("s", 1), Map.entry("sec", 1),
            Map.entry("second", 1), Map.entry("min", 60), Map.entry("minute", 60), Map.entry("h", 3600),
            Map.entry("hour", 3600), Map.entry("d", 86400), Map.entry("day", 86400));

    private Rate() {
    }

    /**
     * @return messages per second
     * @throws IllegalArgumentException naming the option and the value, where it is not a rate with a known unit
     */
    public static double perSecond(String rate) {
        Matcher m = RATE.matcher(rate.toLowerCase(Locale.ROOT));
        Integer seconds = m.matches() ? SECONDS.get(m.group(2)) : null;
        double count = seconds != null ? Double.parseDouble(m.group(1)) : 0;
        if (seconds == null || count <= 0) {
            throw new IllegalArgumentException("sendmail: option rateLimit must be a number of messages per s, min, h or "
                                               + "day, such as 30/min or 2000/day, got '" + rate + "'");
        }
        return count / seconds;
    }
}
