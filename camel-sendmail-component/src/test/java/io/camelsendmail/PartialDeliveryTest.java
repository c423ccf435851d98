package io.camelsendmail;

import java.util.List;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Twisted's rule: some recipients refused is a success with fewer accepted; all refused is a failure and no DATA. */
class PartialDeliveryTest {

    private static final String TO = "to=bob@example.com,nobody@example.com,carol@example.com";

    private static ScriptedSmtpServer refusingNobody() throws Exception {
        return ScriptedSmtpServer.start().on("RCPT TO:<nobody@", "550 5.1.1 <nobody@example.com>: no such user");
    }

    @Test
    void someRefusedIsASuccessWithEachRecipientsRealReply() throws Exception {
        try (ScriptedSmtpServer server = refusingNobody();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com&" + TO)) {
            Exchange exchange = route.send("partly delivered");

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(2);
            @SuppressWarnings("unchecked")
            List<RecipientStatus> statuses = exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
            assertThat(statuses).containsExactly(
                    new RecipientStatus("bob@example.com", 250, "2.1.5 recipient ok"),
                    new RecipientStatus("nobody@example.com", 550, "5.1.1 <nobody@example.com>: no such user"),
                    new RecipientStatus("carol@example.com", 250, "2.1.5 recipient ok"));
            assertThat(exchange.getMessage().getHeader(SendmailConstants.RESPONSE)).isEqualTo("2.0.0 queued as Q1x1");
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void allRefusedFailsAndNoDataIsSent() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT", "550 5.1.1 no such user");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com&" + TO)) {
            Exchange exchange = route.send("nobody wants this");

            assertThat(exchange.getException()).isInstanceOf(SmtpDeliveryException.class)
                    .hasMessageContaining("every recipient");
            SendmailException e = (SendmailException) exchange.getException();
            assertThat(e.getCode()).isEqualTo(550);
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getStatuses()).hasSize(3).noneMatch(RecipientStatus::accepted);
            assertThat(server.sawCommand("DATA")).isFalse();
            assertThat(server.sawCommand("RSET")).isTrue();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void allRefusedTemporarilyIsTransient() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT", "450 4.2.0 mailbox busy");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com&" + TO)) {
            SendmailException e = (SendmailException) route.send("later").getException();
            assertThat(e).isInstanceOf(SmtpDeliveryException.class);
            assertThat(e.getCode()).isEqualTo(450);
            assertThat(e.isTransient()).isTrue();
        }
    }

    @Test
    void withAllowPartialDeliveryFalseAnyRefusalFailsBeforeData() throws Exception {
        try (ScriptedSmtpServer server = refusingNobody();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com&" + TO
                                                    + "&allowPartialDelivery=false")) {
            Exchange exchange = route.send("all or nothing");

            assertThat(exchange.getException()).isInstanceOf(SmtpDeliveryException.class)
                    .hasMessageContaining("1 of 3 recipients").hasMessageContaining("allowPartialDelivery=false");
            assertThat(((SendmailException) exchange.getException()).getStatuses())
                    .filteredOn(RecipientStatus::accepted).hasSize(2);
            assertThat(server.sawCommand("DATA")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }
}
