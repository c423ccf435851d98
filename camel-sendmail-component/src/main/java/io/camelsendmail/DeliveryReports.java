package io.camelsendmail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.camelsendmail.report.ReportReader;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;

/**
 * What a received message says about mail that was sent: the {@link DeliveryReport}s of a bounce or a delivery status
 * notification, and what kind of message it is. Reads RFC 3464 reports (and RFC 6533's global form) and the bounces
 * that servers write for people; recognises auto-replies (RFC 3834), feedback reports (RFC 5965) and read receipts,
 * which have no reports. Never reads a large returned message or attachment whole: a message from a stream or a file is
 * parsed in place, and each part is read up to a bound.
 *
 * <pre>{@code
 * DeliveryReports reports = DeliveryReports.read(mimeMessage);
 * for (DeliveryReport r : reports.reports()) {
 *     if (r.permanent()) { suppressions.add(r.recipient().toLowerCase()); }
 * }
 * }</pre>
 *
 * @param type    what the message is
 * @param reports one per recipient a bounce or report names; empty for anything else
 */
public record DeliveryReports(Type type, List<DeliveryReport> reports) {

    /** What a received message is, as far as delivery reports go. */
    public enum Type {
        /** an RFC 3464 report ({@code multipart/report; report-type=delivery-status}) */
        DELIVERY_STATUS,
        /** a bounce written for people, without RFC 3464 fields */
        BOUNCE,
        /** an auto-reply: out of office, vacation, an autoresponder (RFC 3834) */
        AUTO_REPLY,
        /** an abuse or complaint feedback report (RFC 5965) */
        FEEDBACK_REPORT,
        /** a read receipt (message disposition notification, RFC 8098) */
        READ_RECEIPT,
        /** anything else */
        NONE
    }

    /** Messages up to this size from a stream are parsed in memory; larger ones from a temporary file. */
    private static final int IN_MEMORY_MAX = 1 << 20;

    public DeliveryReports {
        reports = List.copyOf(reports);
    }

    /**
     * @param message a received message
     * @throws MessagingException only where the message cannot be read at all
     */
    public static DeliveryReports read(MimeMessage message) throws MessagingException {
        ReportReader.Result result = ReportReader.read(message);
        return new DeliveryReports(Type.valueOf(result.kind().name()), result.reports());
    }

    /** @param rfc5322 a received message, headers and body; read to its end and not closed */
    public static DeliveryReports read(InputStream rfc5322) throws IOException, MessagingException {
        BufferedInputStream in = new BufferedInputStream(rfc5322);
        in.mark(IN_MEMORY_MAX + 1);
        byte[] head = in.readNBytes(IN_MEMORY_MAX + 1);
        if (head.length <= IN_MEMORY_MAX) {
            return read(head);
        }
        in.reset();
        Path file = Files.createTempFile("camel-sendmail-report", ".eml");
        try {
            try (OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            }
            return read(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** @param rfc5322 a received message, headers and body */
    public static DeliveryReports read(byte[] rfc5322) throws MessagingException {
        return read(new MimeMessage(ReportReader.parsingSession(), new SharedByteArrayInputStream(rfc5322)));
    }

    /** @param file a received message (an {@code .eml} file, say), parsed in place */
    public static DeliveryReports read(Path file) throws IOException, MessagingException {
        try (SharedFileInputStream in = new SharedFileInputStream(file.toFile())) {
            return read(new MimeMessage(ReportReader.parsingSession(), in));
        }
    }

    /** @return the reports of a message, empty when it is not a bounce or a delivery status notification */
    public static List<DeliveryReport> parse(MimeMessage message) throws MessagingException {
        return read(message).reports();
    }

    /** @return the reports of a message given as its bytes */
    public static List<DeliveryReport> parse(byte[] rfc5322) throws MessagingException {
        return read(rfc5322).reports();
    }
}
