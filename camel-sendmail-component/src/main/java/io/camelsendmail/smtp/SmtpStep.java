package io.camelsendmail.smtp;

/**
 * The steps of one SMTP conversation, each with the reply it expects. A failure names the step it happened in; the
 * step's name is what {@link io.camelsendmail.SendmailException#getStep()} reports.
 */
enum SmtpStep {
    CONNECT("opening the connection", 0),
    GREETING("the server's greeting", 220),
    EHLO("EHLO", 250),
    HELO("HELO", 250),
    STARTTLS("STARTTLS", 220),
    AUTH("AUTH", 235),
    MAIL("MAIL FROM", 250),
    RCPT("RCPT TO", 250),
    DATA("DATA", 354),
    CONTENT("sending the message data", 0),
    DATA_END("the end of the data", 250),
    RSET("RSET", 250),
    NOOP("NOOP", 250),
    QUIT("QUIT", 221);

    private final String description;
    private final int expected;

    SmtpStep(String description, int expected) {
        this.description = description;
        this.expected = expected;
    }

    String description() {
        return description;
    }

    /** @return the reply code that lets the conversation go on (0 for steps that have no reply of their own) */
    int expected() {
        return expected;
    }

    /** @return whether this step may be sent before TLS is up, when TLS is required */
    boolean allowedBeforeTls() {
        return this == GREETING || this == EHLO || this == HELO || this == STARTTLS || this == QUIT || this == RSET;
    }
}
