package io.camelsendmail;

import java.util.List;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.ScriptedSmtpServer.Received;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the server offers PIPELINING (RFC 2920), MAIL FROM, the RCPTs and DATA go in one write; the message is sent
 * only after every reply was read, and only if a recipient was accepted and DATA answered 354.
 */
class PipeliningTest {

    private static final String TWO = "?from=alice@example.com&to=bob@example.com,carol@example.com";

    /** Offers PIPELINING, and takes a moment over MAIL FROM so that whatever the client pipelined has arrived. */
    private static ScriptedSmtpServer pipeliningServer() throws Exception {
        return ScriptedSmtpServer.start().extensions("PIPELINING").pauseBefore("MAIL", 150);
    }

    private static List<Received> transaction(ScriptedSmtpServer server, int connection) {
        return server.received().stream()
                .filter(r -> r.connection() == connection)
                .filter(r -> r.line().startsWith("MAIL") || r.line().startsWith("RCPT") || r.line().equals("DATA"))
                .toList();
    }

    @Test
    void theEnvelopeAndDataGoInOneWriteAndEachRecipientKeepsItsReply() throws Exception {
        try (ScriptedSmtpServer server = pipeliningServer().on("RCPT TO:<carol", "550 5.1.1 carol unknown");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO)) {
            Exchange exchange = route.send("pipelined");

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
            assertThat(exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class)).containsExactly(
                    new RecipientStatus("bob@example.com", 250, "2.1.5 recipient ok"),
                    new RecipientStatus("carol@example.com", 550, "5.1.1 carol unknown"));
            assertThat(transaction(server, 1)).extracting(Received::line).containsExactly(
                    "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>", "RCPT TO:<carol@example.com>", "DATA");
            // everything after MAIL FROM was already waiting, unanswered, when the server read the line before it
            assertThat(transaction(server, 1)).extracting(Received::batched).containsExactly(false, true, true, true);
            assertThat(server.messages()).singleElement().asString().contains("pipelined");
        }
    }

    @Test
    void aRefusedMailFromResetsTheTransactionAndTheConnectionCarriesTheNextMessage() throws Exception {
        int[] mails = new int[1];
        try (ScriptedSmtpServer server = pipeliningServer().dynamic((connection, command) -> {
            if (command.startsWith("MAIL")) {
                return ++mails[0] == 1 ? "553 5.7.1 sender refused" : null;
            }
            // the rest of the first transaction is answered as a server does after a refused MAIL FROM
            return mails[0] == 1 && (command.startsWith("RCPT") || command.equals("DATA")) ? "503 5.5.1 need MAIL first" : null;
        });
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO)) {
            SendmailException e = (SendmailException) route.send("first").getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("553 5.7.1 sender refused");
            assertThat(e.getStep()).isEqualTo("MAIL");
            assertThat(e.getStatuses()).isEmpty();
            assertThat(server.messages()).isEmpty();
            assertThat(server.sawCommand("RSET")).isTrue();

            assertThat(route.send("second").getException()).isNull();
            assertThat(server.messages()).singleElement().asString().contains("second");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void everyRecipientRefusedSendsNoDataAndKeepsTheConnection() throws Exception {
        try (ScriptedSmtpServer server = pipeliningServer().on("RCPT", "550 5.1.1 unknown").on("DATA", "554 5.5.1 no valid recipients");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO)) {
            SendmailException e = (SendmailException) route.send("nobody").getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("every recipient");
            assertThat(e.getStatuses()).extracting(RecipientStatus::code).containsExactly(550, 550);
            assertThat(server.messages()).isEmpty();
            assertThat(server.sawCommand("RSET")).isTrue();

            server.dynamic((connection, command) -> command.startsWith("RCPT") || command.equals("DATA") ? fallback(command) : null);
            assertThat(route.send("again", Map.of()).getException()).isNull();
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aServerThatAnswers354WithNoRecipientGetsNoDataAndTheConnectionIsEnded() throws Exception {
        try (ScriptedSmtpServer server = pipeliningServer()
                .dynamic((connection, command) -> connection == 1 && command.startsWith("RCPT") ? "550 5.1.1 unknown" : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO)) {
            SendmailException e = (SendmailException) route.send("must not be sent").getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("every recipient");
            assertThat(server.messages()).isEmpty();
            // closed without RSET, QUIT or a dot: the server is left waiting for data it never gets
            assertThat(server.commands()).doesNotContain("RSET", "QUIT", ".");
            assertThat(route.send("next").getException()).isNull();
            assertThat(server.connections()).isEqualTo(1 + 1);
        }
    }

    @Test
    void withoutPartialDeliveryDataWaitsForEveryRcptReply() throws Exception {
        try (ScriptedSmtpServer server = pipeliningServer().on("RCPT TO:<carol", "550 5.1.1 carol unknown");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO + "&allowPartialDelivery=false")) {
            SendmailException e = (SendmailException) route.send("all or nothing").getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("allowPartialDelivery=false");
            assertThat(server.commands()).doesNotContain("DATA");
            assertThat(server.messages()).isEmpty();
            assertThat(transaction(server, 1)).extracting(Received::batched).containsExactly(false, true, true);
        }
    }

    @Test
    void aPipelinedConnectionTheServerDroppedWhileIdleIsReplacedTransparently() throws Exception {
        try (ScriptedSmtpServer server = pipeliningServer();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + TWO)) {
            assertThat(route.send("first").getException()).isNull();
            server.dropConnections("421 4.4.2 idle");
            org.awaitility.Awaitility.await().until(() -> server.openConnections() == 0);

            assertThat(route.send("second").getException()).isNull();
            assertThat(server.messages()).hasSize(2);
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    private static String fallback(String command) {
        return command.equals("DATA") ? "354 go ahead" : "250 2.1.5 recipient ok";
    }
}
