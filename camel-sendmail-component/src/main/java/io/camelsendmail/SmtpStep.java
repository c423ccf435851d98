package io.camelsendmail;

import java.util.Locale;

/**
 * The steps of one SMTP conversation, each with the reply it expects. A failure names the step it happened in.
 */
enum SmtpStep {
    CONNECT("opening the connection"),
    GREETING("the server's greeting"),
    EHLO("EHLO"),
    HELO("HELO"),
    STARTTLS("STARTTLS"),
    AUTH("AUTH"),
    MAIL("MAIL FROM"),
    RCPT("RCPT TO"),
    DATA("DATA"),
    CONTENT("sending the message data"),
    DATA_END("the end of the data"),
    RSET("RSET"),
    NOOP("NOOP"),
    QUIT("QUIT"),
    OTHER("a command");

    private final String description;

    SmtpStep(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /** @return whether this step may be sent before TLS is up, when TLS is required */
    boolean allowedBeforeTls() {
        return this == EHLO || this == HELO || this == STARTTLS || this == QUIT || this == RSET || this == NOOP;
    }

    static SmtpStep ofCommand(String command) {
        if (".".equals(command)) {
            return DATA_END;
        }
        int space = command.indexOf(' ');
        String verb = (space < 0 ? command : command.substring(0, space)).toUpperCase(Locale.ROOT);
        return switch (verb) {
            case "EHLO" -> EHLO;
            case "HELO" -> HELO;
            case "STARTTLS" -> STARTTLS;
            case "AUTH" -> AUTH;
            case "MAIL" -> MAIL;
            case "RCPT" -> RCPT;
            case "DATA" -> DATA;
            // BDAT ... LAST carries the whole message: its reply is the reply to the end of the data
            case "BDAT" -> DATA_END;
            case "RSET" -> RSET;
            case "NOOP" -> NOOP;
            case "QUIT" -> QUIT;
            default -> OTHER;
        };
    }
}
