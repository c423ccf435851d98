package io.camelsendmail.smtp;

/**
 * One SMTP reply: its code and its lines, as received (codes included, joined by a newline).
 */
record SmtpReply(int code, String lines) {

    boolean positive() {
        return code >= 200 && code < 400;
    }

    /** @return the reply's text without the codes: lines joined by a newline */
    String text() {
        return SmtpFailures.text(lines);
    }

    /**
     * @return the reply's text without the codes, each line trimmed: what a route is shown of the final reply (Exim
     *         answers {@code BDAT ... LAST} with {@code 250- 402 byte chunk, total 402} and {@code 250 OK id=...})
     */
    String trimmedText() {
        return text().lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** @return whether the server is closing the connection (RFC 5321, 4.2.3) */
    boolean closing() {
        return code == 421;
    }
}
