package io.camelsendmail;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery reports read from bounces of each kind servers send, written for these tests from the formats' documentation
 * and the servers' own templates: recipient, action, status, diagnostic and the original Message-ID of each.
 */
class DeliveryReportsTest {

    private static DeliveryReports read(String name) throws Exception {
        try (InputStream in = DeliveryReportsTest.class.getResourceAsStream("/bounces/" + name)) {
            assertThat(in).as(name).isNotNull();
            return DeliveryReports.read(in);
        }
    }

    @Test
    void anRfc3464ReportGivesEachRecipientItsStatusActionAndDiagnostic() throws Exception {
        DeliveryReports read = read("postfix-dsn.eml");

        assertThat(read.type()).isEqualTo(DeliveryReports.Type.DELIVERY_STATUS);
        assertThat(read.reports()).hasSize(2);
        DeliveryReport alice = read.reports().get(0);
        assertThat(alice.recipient()).isEqualTo("alice@example.org");
        assertThat(alice.originalRecipient()).isEqualTo("Alice+news@example.org");
        assertThat(alice.action()).isEqualTo("failed");
        assertThat(alice.status()).isEqualTo("5.1.1");
        assertThat(alice.statusInferred()).isFalse();
        assertThat(alice.permanent()).isTrue();
        assertThat(alice.replyCode()).isEqualTo(550);
        assertThat(alice.diagnosticCode()).startsWith("550 5.1.1 <alice@example.org>: Recipient address rejected")
                .endsWith("User unknown in virtual mailbox table");
        assertThat(alice.remoteMta()).isEqualTo("mx.example.org");
        assertThat(alice.reportingMta()).isEqualTo("relay.example.net");
        assertThat(alice.originalMessageId()).isEqualTo("<order-1842@shop.example>");
        assertThat(alice.originalEnvelopeId()).isEqualTo("order-1842+gift");
        assertThat(alice.arrivalDate()).isEqualTo("Mon, 30 Nov 2026 09:00:01 +0000 (UTC)");

        DeliveryReport bob = read.reports().get(1);
        assertThat(bob.recipient()).isEqualTo("bob@example.org");
        assertThat(bob.action()).isEqualTo("delayed");
        assertThat(bob.status()).isEqualTo("4.2.2");
        assertThat(bob.replyCode()).isEqualTo(452);
        assertThat(bob.permanent()).isFalse();
        assertThat(bob.delivered()).isFalse();
    }

    @Test
    void rfc6533sGlobalReportKeepsItsUtf8Addresses() throws Exception {
        DeliveryReports read = read("global-dsn.eml");

        assertThat(read.reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("jürgen@bücher.example");
            assertThat(r.status()).isEqualTo("5.1.1");
            assertThat(r.diagnosticCode()).isEqualTo("550 5.1.1 unbekannter Empfänger");
            assertThat(r.originalMessageId()).isEqualTo("<order-1848@shop.example>");
        });
    }

    @Test
    void eximsTextGivesEachFailedAddressWithTheServersWordsOrAnInferredStatus() throws Exception {
        DeliveryReports read = read("exim-text.eml");

        assertThat(read.type()).isEqualTo(DeliveryReports.Type.BOUNCE);
        assertThat(read.reports()).extracting(DeliveryReport::recipient)
                .containsExactly("carol@example.com", "dave@nowhere.example");
        DeliveryReport carol = read.reports().get(0);
        assertThat(carol.status()).isEqualTo("5.1.1");
        assertThat(carol.statusInferred()).isFalse();
        assertThat(carol.replyCode()).isEqualTo(550);
        assertThat(carol.diagnosticCode()).startsWith("550 5.1.1 <carol@example.com>: Recipient address rejected");
        assertThat(carol.originalMessageId()).isEqualTo("<order-1843@shop.example>");
        DeliveryReport dave = read.reports().get(1);
        // "Unrouteable address" states no code: the status is inferred from the words, and says so
        assertThat(dave.diagnosticCode()).isEqualTo("Unrouteable address");
        assertThat(dave.status()).isEqualTo("5.1.1");
        assertThat(dave.statusInferred()).isTrue();
        assertThat(dave.replyCode()).isEqualTo(-1);
        assertThat(dave.permanent()).isTrue();
    }

    @Test
    void qmailSendmailGmailAndExchangeBouncesEachNameTheirRecipientAndStatus() throws Exception {
        assertThat(read("qmail.eml").reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("erin@example.jp");
            assertThat(r.status()).isEqualTo("5.1.1");
            assertThat(r.diagnosticCode()).isEqualTo("Sorry, no mailbox here by that name. (#5.1.1)");
            assertThat(r.reportingMta()).isEqualTo("mx.example.jp");
            assertThat(r.originalMessageId()).isEqualTo("<order-1844@shop.example>");
        });
        assertThat(read("sendmail-text.eml").reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("frank@example.edu");
            assertThat(r.status()).isEqualTo("5.2.1");
            assertThat(r.replyCode()).isEqualTo(550);
            assertThat(r.diagnosticCode()).contains("Mailbox disabled for this recipient");
            assertThat(r.originalMessageId()).isEqualTo("<order-1845@shop.example>");
        });
        assertThat(read("gmail-text.eml").reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("grace@example.net");
            assertThat(r.status()).isEqualTo("5.7.1");
            assertThat(r.diagnosticCode()).isEqualTo("550 5.7.1 Message rejected due to local policy");
            assertThat(r.originalMessageId()).isEqualTo("<order-1846@shop.example>");
        });
        assertThat(read("exchange-html.eml").reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("heidi@example.com");
            assertThat(r.status()).isEqualTo("5.1.10");
            assertThat(r.replyCode()).isEqualTo(550);
            assertThat(r.diagnosticCode()).contains("RESOLVER.ADR.RecipientNotFound");
            assertThat(r.originalMessageId()).isEqualTo("<order-1847@shop.example>");
        });
    }

    @Test
    void amazonSesNotificationsByMailAreReportsToo() throws Exception {
        DeliveryReports read = read("ses-notification.eml");

        assertThat(read.type()).isEqualTo(DeliveryReports.Type.DELIVERY_STATUS);
        assertThat(read.reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("ivan@example.com");
            assertThat(r.status()).isEqualTo("5.1.1");
            assertThat(r.action()).isEqualTo("failed");
            assertThat(r.permanent()).isTrue();
            assertThat(r.diagnosticCode()).isEqualTo("550 5.1.1 user unknown");
            assertThat(r.reportingMta()).isEqualTo("a1-2.smtp-out.eu-west-1.amazonses.com");
        });
    }

    @Test
    void autoRepliesFeedbackReportsAndOrdinaryMailAreRecognisedAndHaveNoReports() throws Exception {
        DeliveryReports vacation = read("vacation.eml");
        assertThat(vacation.type()).isEqualTo(DeliveryReports.Type.AUTO_REPLY);
        assertThat(vacation.reports()).isEmpty();

        DeliveryReports feedback = read("feedback.eml");
        assertThat(feedback.type()).isEqualTo(DeliveryReports.Type.FEEDBACK_REPORT);
        assertThat(feedback.reports()).isEmpty();

        DeliveryReports ordinary = read("ordinary.eml");
        assertThat(ordinary.type()).isEqualTo(DeliveryReports.Type.NONE);
        assertThat(ordinary.reports()).isEmpty();

        assertThat(DeliveryReports.read("not a message at all\r\n".getBytes()).reports()).isEmpty();
        assertThat(DeliveryReports.read(new byte[0]).type()).isEqualTo(DeliveryReports.Type.NONE);
    }

    @Test
    void aTranscriptsGreetingAnIpv6AddressAndAMessageIdAreNotTakenForTheFailure() throws Exception {
        String bounce = String.join("\r\n",
                "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
                "To: orders@shop.example",
                "Subject: Undelivered Mail",
                "",
                "Delivery to the following recipient has been delayed, then given up:",
                "",
                "     kim@example.org",
                "",
                "[(0) example.org. [2606:2800:220:6d:26bf:1447:1097:aa7]:25: socket error]",
                "Out: 220 mx.example.org ESMTP",
                "Out: 250 mx.example.org",
                "In:  RCPT TO:<kim@example.org>",
                "Out: 451 4.3.0 Temporary system failure",
                "",
                "----- Original message -----",
                "Message-ID: <order-1853@shop.example>",
                "From: orders@shop.example",
                "",
                "x");
        DeliveryReports read = DeliveryReports.read(bounce.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(read.reports()).singleElement().satisfies(r -> {
            assertThat(r.recipient()).isEqualTo("kim@example.org");
            assertThat(r.replyCode()).isEqualTo(451);
            assertThat(r.status()).isEqualTo("4.3.0");
            assertThat(r.originalMessageId()).isEqualTo("<order-1853@shop.example>");
        });

        String noRecipientLine = String.join("\r\n",
                "From: MAILER-DAEMON@mx.example.net",
                "To: orders@shop.example",
                "Subject: Warning: could not send message",
                "",
                "[Status: Error, Address: <lee@example.org>, ResponseCode 421, , Host not reachable.]",
                "Message will be retried for 4 more day(s)",
                "",
                "Message-ID:<14a3e1f7f3c.7530@zoho.example.com>",
                "To:<lee@example.org>");
        assertThat(DeliveryReports.read(noRecipientLine.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).reports())
                .singleElement().satisfies(r -> {
                    assertThat(r.recipient()).isEqualTo("lee@example.org");
                    assertThat(r.replyCode()).isEqualTo(421);
                    assertThat(r.action()).isEqualTo("delayed");
                    assertThat(r.statusInferred()).isTrue();
                });
    }

    @Test
    void aFileIsReadInPlace() throws Exception {
        Path file = Path.of(DeliveryReportsTest.class.getResource("/bounces/qmail.eml").toURI());
        List<DeliveryReport> reports = DeliveryReports.read(file).reports();
        assertThat(reports).extracting(DeliveryReport::recipient).containsExactly("erin@example.jp");
    }
}
