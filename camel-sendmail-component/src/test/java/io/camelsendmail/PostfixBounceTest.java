package io.camelsendmail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.camelsendmail.support.PostfixRelay;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end with a real Postfix: sendmail: hands a message to a Postfix relay, the next server refuses one of its
 * recipients with 550 5.1.1, Postfix's bounce daemon writes its delivery status notification back to the sender's
 * domain, and the report read from it names the recipient, the status, the refusing server's words, and the Message-ID
 * and envelope id that sendmail: sent.
 */
class PostfixBounceTest {

    @TempDir
    Path work;

    @Test
    void aRealPostfixBounceReadsBackAsTheReportOfTheMessageThatWasSent() throws Exception {
        assumeThat(PostfixRelay.unavailable()).as(String.valueOf(PostfixRelay.unavailable())).isNull();
        // the next hop for both domains: it refuses alice, and takes the bounce to the shop
        try (ScriptedSmtpServer next = ScriptedSmtpServer.start().extensions("DSN")
                .on("RCPT TO:<alice@gone.example>", "550 5.1.1 <alice@gone.example>: Recipient address rejected: "
                                                    + "User unknown in virtual mailbox table");
             PostfixRelay relay = PostfixRelay.start(work, Map.of("gone.example", next.port(), "shop.example", next.port()));
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + relay.port()
                                                    + "?from=orders@shop.example&to=alice@gone.example&subject=Order 1852")) {
            Exchange sent = route.send("Your order 1852 is on its way.");
            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.QUEUE_ID, String.class)).as("Postfix's queued as")
                    .matches("[0-9A-Za-z]{6,}");
            String messageId = sent.getMessage().getHeader(SendmailConstants.MESSAGE_ID, String.class);

            await().atMost(Duration.ofSeconds(60)).until(() -> !next.messages().isEmpty());
            byte[] bounce = next.messages().get(0).getBytes(StandardCharsets.UTF_8);
            DeliveryReports read = DeliveryReports.read(bounce);

            assertThat(read.type()).isEqualTo(DeliveryReports.Type.DELIVERY_STATUS);
            assertThat(read.reports()).singleElement().satisfies(r -> {
                assertThat(r.recipient()).isEqualTo("alice@gone.example");
                assertThat(r.originalRecipient()).isEqualTo("alice@gone.example");
                assertThat(r.action()).isEqualTo("failed");
                assertThat(r.status()).isEqualTo("5.1.1");
                assertThat(r.statusInferred()).isFalse();
                assertThat(r.permanent()).isTrue();
                assertThat(r.replyCode()).isEqualTo(550);
                assertThat(r.diagnosticCode()).contains("Recipient address rejected: User unknown in virtual mailbox table");
                assertThat(r.reportingMta()).isEqualTo("relay.test");
                assertThat(r.remoteMta()).isEqualTo("127.0.0.1");
                assertThat(r.originalMessageId()).isEqualTo(messageId);
                assertThat(r.originalEnvelopeId()).isEqualTo(messageId.substring(1, messageId.indexOf('@')));
            });
        }
    }
}
