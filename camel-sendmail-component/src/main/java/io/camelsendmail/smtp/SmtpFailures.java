package io.camelsendmail.smtp;

import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Collectors;

import javax.net.ssl.SSLException;

import io.camelsendmail.AuthenticationFailedException;
import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import io.camelsendmail.SmtpDeliveryException;
import io.camelsendmail.TransportSecurityRequiredException;

/**
 * The one place that turns an SMTP reply or an I/O failure into the {@link SendmailException} subclass a route sees. It
 * takes values (the step, the reply code and text, the failure), never the connection.
 */
final class SmtpFailures {

    private SmtpFailures() {
    }

    /** A reply the conversation cannot go on with, at the given step. */
    static SendmailException reply(SmtpStep step, int code, String rawReply, List<RecipientStatus> statuses, String server) {
        return reply(step, code, rawReply, statuses, server, null);
    }

    static SendmailException reply(SmtpStep step, int code, String rawReply, List<RecipientStatus> statuses, String server,
                                   Throwable cause) {
        String text = text(rawReply);
        if (code < 0) {
            String what = rawReply == null || rawReply.isBlank()
                    ? "closed the connection" : "answered with something that is not an SMTP reply: '" + clip(text) + "'";
            return new SmtpConnectException(
                    "SMTP server " + server + " " + what + " at " + step.description() + afterData(step),
                    step.name(), -1, step != SmtpStep.DATA_END, statuses, cause);
        }
        boolean temporary = code >= 400 && code < 500;
        String message = "SMTP server " + server + " refused " + step.description() + ": " + code + " " + text;
        if (code == 421) {
            // a reply, even after the data: the server says it did not take the message
            return new SmtpConnectException(message + " (the server is closing the connection)",
                    step.name(), code, true, statuses, cause);
        }
        return switch (step) {
            case CONNECT, GREETING, EHLO, HELO, RSET, NOOP, QUIT ->
                new SmtpConnectException(message, step.name(), code, temporary, statuses, cause);
            case STARTTLS -> new TransportSecurityRequiredException(
                    message + "; the server offered STARTTLS, so the message is not sent without it",
                    step.name(), code, temporary, statuses, cause);
            case AUTH -> new AuthenticationFailedException(message, step.name(), code, temporary, statuses, cause);
            case MAIL, RCPT, DATA, CONTENT, DATA_END ->
                new SmtpDeliveryException(message, step.name(), code, temporary, statuses, cause);
        };
    }

    /**
     * The sender's sending quota is used up: transient whatever the code (a 5xx included), since the quota resets and
     * the message is not at fault.
     */
    static SendmailException quota(SmtpStep step, SmtpReply reply, List<RecipientStatus> statuses, String server) {
        return new SmtpDeliveryException("SMTP server " + server + " refused " + step.description() + ": " + reply.code()
                                         + " " + reply.text() + " (the sender's sending quota is used up: the message "
                                         + "is not at fault; the endpoint begins no message for quotaPause)",
                step.name(), reply.code(), true, step == SmtpStep.MAIL ? null : statuses, null);
    }

    /** Every recipient refused, or some with allowPartialDelivery=false: nothing was sent after RCPT. */
    static SendmailException recipientsRefused(List<RecipientStatus> statuses, boolean allowPartialDelivery, String server) {
        List<RecipientStatus> refused = statuses.stream().filter(s -> !s.accepted()).toList();
        RecipientStatus last = refused.get(refused.size() - 1);
        boolean temporary = refused.stream().allMatch(s -> s.code() >= 400 && s.code() < 500);
        String which = refused.size() == statuses.size()
                ? "every recipient"
                : refused.size() + " of " + statuses.size() + " recipients (allowPartialDelivery=false)";
        String details = refused.stream().map(RecipientStatus::toString).collect(Collectors.joining("; "));
        return new SmtpDeliveryException(
                "SMTP server " + server + " refused " + which + "; the message was not sent: " + details,
                SmtpStep.RCPT.name(), last.code(), temporary, statuses, null);
    }

    /** A refusal this client decides before MAIL FROM, from what the server said in EHLO. */
    static SendmailException refusedLocally(String message) {
        return new SmtpDeliveryException(message, SmtpStep.MAIL.name(), -1, false, null, null);
    }

    /** A network failure: transient unless the end of the data may have reached the server. */
    static SendmailException io(SmtpStep step, Exception e, List<RecipientStatus> statuses, String server) {
        if (e instanceof ReplyReader.ClosedByServer) {
            return reply(step, -1, null, statuses, server, e);
        }
        if (e instanceof ReplyReader.NotSmtp notSmtp) {
            return reply(step, -1, notSmtp.line(), statuses, server, e);
        }
        SSLException tls = find(e, SSLException.class);
        if (tls != null && step == SmtpStep.CONNECT && rootMessage(tls).toLowerCase(java.util.Locale.ROOT).contains("unrecognized ssl message")) {
            // implicitTls=true against a server that speaks plain SMTP on this port (its 220 greeting is no TLS record)
            return new TransportSecurityRequiredException(
                    "the SMTP server " + server + " answered in plain text, not TLS: it does not speak TLS from the first "
                                                          + "byte on this port; set implicitTls=false (STARTTLS is used "
                                                          + "whenever the server offers it), usually on port 587 or 25; "
                                                          + "nothing was sent",
                    step.name(), -1, false, statuses, e);
        }
        if (tls != null && (step == SmtpStep.CONNECT || step == SmtpStep.GREETING || step == SmtpStep.STARTTLS)) {
            return new TransportSecurityRequiredException(
                    "TLS with the SMTP server " + server + " could not be established: " + rootMessage(tls)
                                                          + "; nothing was sent (check the server certificate, its host name, "
                                                          + "and sslContextParameters)",
                    step.name(), -1, false, statuses, e);
        }
        String what;
        if (find(e, SocketTimeoutException.class) != null) {
            what = "timed out at " + step.description();
        } else if (find(e, UnknownHostException.class) != null) {
            what = "is an unknown host";
        } else if (step == SmtpStep.CONNECT) {
            what = "could not be reached: " + rootMessage(e);
        } else {
            what = "connection failed at " + step.description() + ": " + rootMessage(e);
        }
        return new SmtpConnectException("SMTP server " + server + " " + what + afterData(step), step.name(), -1,
                step != SmtpStep.DATA_END, statuses, e);
    }

    /** The text of a reply without its codes: lines joined by a newline. */
    static String text(String rawReply) {
        if (rawReply == null) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (String line : rawReply.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (text.length() > 0) {
                text.append('\n');
            }
            boolean coded = line.length() >= 3 && Character.isDigit(line.charAt(0)) && Character.isDigit(line.charAt(1))
                    && Character.isDigit(line.charAt(2)) && (line.length() == 3 || line.charAt(3) == ' ' || line.charAt(3) == '-');
            text.append(coded ? line.substring(Math.min(4, line.length())) : line);
        }
        return text.toString();
    }

    /** A send that was refused before MAIL FROM because the connection is not what the message needs. */
    static SendmailException refusedAuth(String server, String offered, List<String> supported) {
        return new io.camelsendmail.AuthenticationRequiredException(
                "the SMTP server " + server + " offers no AUTH mechanism this client can use (it offers " + offered
                                                                  + "; this client supports " + String.join(", ", supported)
                                                                  + "); no credentials were sent",
                SmtpStep.AUTH.name(), -1, false, null, null);
    }

    private static String afterData(SmtpStep step) {
        return step == SmtpStep.DATA_END
                ? "; the message data was fully sent, so the server may have accepted it: not retried, to avoid a duplicate"
                : "";
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 16; depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            Throwable next = t.getCause();
            t = next == t ? null : next;
        }
        return null;
    }
}
