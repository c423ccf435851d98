package io.camelsendmail;

import java.nio.charset.StandardCharsets;

import io.camelsendmail.message.PreparedMessage;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the server offers CHUNKING (RFC 3030) and not PIPELINING, a message goes as one {@code BDAT <size> LAST}:
 * canonical line ends, no dot-stuffing, and one reply for the whole message.
 */
class ChunkingTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    @Test
    void aMessageGoesAsOneLastChunkWithItsExactSize() throws Exception {
        byte[] raw = "From: alice@example.com\nTo: bob@example.com\nSubject: chunked\n\n.leading dot\nbare LF\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING", "SIZE 100000");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exchange exchange = route.send(raw);

            assertThat(exchange.getException()).isNull();
            assertThat(server.commands()).noneMatch(c -> c.equals("DATA") || c.equals("."));
            String bdat = server.commands().stream().filter(c -> c.startsWith("BDAT")).findFirst().orElseThrow();
            String message = server.messages().get(0);
            assertThat(bdat).isEqualTo("BDAT " + message.getBytes(StandardCharsets.UTF_8).length + " LAST");
            // SIZE announced the exact number of bytes sent
            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com> SIZE=" + message.getBytes(StandardCharsets.UTF_8).length);
            // not dot-stuffed, CRLF everywhere, ending with a line break
            assertThat(message).contains("\r\n\r\n.leading dot\r\nbare LF\r\n").doesNotContain("..leading").endsWith("\r\n");
            assertThat(message.replace("\r\n", "")).doesNotContain("\n");
            assertThat(exchange.getMessage().getHeader(SendmailConstants.RESPONSE, String.class)).startsWith("2.0.0 queued as");
        }
    }

    @Test
    void aRefusedChunkIsTheEndOfDataRefusalAndTheConnectionIsReset() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING")
                .on(ScriptedSmtpServer.END_OF_DATA, "554 5.6.0 content refused");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            SendmailException e = (SendmailException) route.send("refused").getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("554 5.6.0 content refused");
            assertThat(e.getStep()).isEqualTo("DATA_END");
            assertThat(e.isTransient()).isFalse();
            assertThat(server.sawCommand("RSET")).isTrue();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void aConnectionLostAfterTheChunkIsNotTransient() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING")
                .on(ScriptedSmtpServer.END_OF_DATA, ScriptedSmtpServer.CLOSE);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            SendmailException e = (SendmailException) route.send("maybe delivered").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("may have accepted it");
            assertThat(e.isTransient()).isFalse();
        }
    }

    @Test
    void aMessageLargerThanOneMegabyteGoesWithData() throws Exception {
        String large = "y".repeat(70).concat("\n").repeat((PreparedMessage.IN_MEMORY_MAX / 71) + 10);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            assertThat(route.send(large).getException()).isNull();
            assertThat(server.sawCommand("BDAT")).isFalse();
            assertThat(server.commands()).contains("DATA");
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void withPipeliningTooAndOneTransactionInFlightTheMessageGoesWithPipelinedData() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING", "PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL + "&maxInFlight=1")) {
            assertThat(route.send("pipelined").getException()).isNull();
            assertThat(server.sawCommand("BDAT")).isFalse();
            assertThat(server.messages()).hasSize(1);
        }
    }
}
