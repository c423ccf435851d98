package io.camelsendmail.support;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import io.camelsendmail.DeliveryReport;
import io.camelsendmail.DeliveryReports;

/**
 * Run in a JVM of its own with a small heap (by {@code LargeBounceTest}): reads a bounce that returns a message of the
 * size given, from a stream and from a file, and prints what it found and the heap it took.
 */
public final class LargeBounceRead {

    private LargeBounceRead() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        DeliveryReports fromStream = DeliveryReports.read(bounce(size));
        print("STREAM", fromStream.reports());

        Path file = Files.createTempFile("large-bounce", ".eml");
        try {
            try (InputStream in = bounce(size)) {
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("FILE SIZE " + Files.size(file));
            print("FILE", DeliveryReports.read(file).reports());
        } finally {
            Files.delete(file);
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("MAX HEAP " + Runtime.getRuntime().maxMemory() + " PEAK HEAP USED " + peak);
    }

    private static void print(String source, List<DeliveryReport> reports) {
        for (DeliveryReport r : reports) {
            System.out.println(source + " " + r.recipient() + " " + r.status() + " " + r.originalMessageId());
        }
    }

    /** A Postfix-style report whose returned message has a body of {@code size} bytes, made as it is read. */
    private static InputStream bounce(long size) {
        String head = String.join("\r\n",
                "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)",
                "To: orders@shop.example",
                "Subject: Undelivered Mail Returned to Sender",
                "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"",
                "",
                "--B",
                "Content-Type: text/plain",
                "",
                "<big@example.org>: host mx.example.org said: 552 5.3.4 Message too big",
                "--B",
                "Content-Type: message/delivery-status",
                "",
                "Reporting-MTA: dns; relay.example.net",
                "",
                "Final-Recipient: rfc822; big@example.org",
                "Action: failed",
                "Status: 5.3.4",
                "Diagnostic-Code: smtp; 552 5.3.4 Message too big",
                "",
                "--B",
                "Content-Type: message/rfc822",
                "",
                "From: orders@shop.example",
                "To: big@example.org",
                "Message-ID: <big-1@shop.example>",
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64",
                "",
                "");
        String tail = "\r\n--B--\r\n";
        InputStream body = new InputStream() {
            private static final byte[] LINE = ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0"
                                                + "\r\n").getBytes(StandardCharsets.US_ASCII);
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = LINE[(int) ((size - left + i) % LINE.length)];
                }
                left -= n;
                return n;
            }
        };
        return new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)), body,
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.US_ASCII)))));
    }
}
