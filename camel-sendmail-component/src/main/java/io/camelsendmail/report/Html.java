package io.camelsendmail.report;

import java.util.regex.Pattern;

/** The words of an HTML bounce (Exchange's, Gmail's newer ones) with their line structure, enough to read it as text. */
final class Html {

    private static final Pattern HIDDEN = Pattern.compile("(?is)<(style|script|head)[^>]*>.*?</\\1\\s*>");
    private static final Pattern BREAK = Pattern.compile("(?i)<\\s*(br|/p|/div|/tr|/h\\d|/li|p|div|tr|li)(\\s[^>]*)?/?>");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private Html() {
    }

    static String text(String html) {
        String text = HIDDEN.matcher(html).replaceAll(" ");
        text = BREAK.matcher(text).replaceAll("\n");
        text = TAG.matcher(text).replaceAll("");
        return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }
}
