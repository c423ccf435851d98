package io.camelsendmail;

import java.net.ServerSocket;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each refusal maps to the CONTRACT's exception, with the server's code and text, transient for 4xx. */
class FailureMappingTest {

    @ParameterizedTest(name = "{0} answered {1}")
    @CsvSource(delimiter = '|', value = {
            "<greeting>    | 554 5.3.2 no service for you | SmtpConnectException  | 554 | false",
            "<greeting>    | 421 4.3.2 too busy           | SmtpConnectException  | 421 | true",
            "<greeting>    | 450 4.3.2 not now            | SmtpConnectException  | 450 | true",
            "EHLO          | 451 4.3.0 local problem      | SmtpConnectException  | 451 | true",
            "RCPT          | 450 4.2.1 mailbox busy       | SmtpDeliveryException | 450 | true",
            "RCPT          | 550 5.1.1 no such user       | SmtpDeliveryException | 550 | false",
            "DATA          | 421 4.3.2 shutting down      | SmtpConnectException  | 421 | true",
            "<end-of-data> | 421 4.3.2 shutting down      | SmtpConnectException  | 421 | true",
            "EHLO          | 421 4.3.2 shutting down      | SmtpConnectException  | 421 | true",
            "EHLO          | 554 5.7.1 go away            | SmtpConnectException  | 554 | false",
            "MAIL          | 451 4.3.0 try again later    | SmtpDeliveryException | 451 | true",
            "MAIL          | 553 5.1.8 sender refused     | SmtpDeliveryException | 553 | false",
            "MAIL          | 421 4.4.2 closing            | SmtpConnectException  | 421 | true",
            "RCPT          | 421 4.4.2 closing            | SmtpConnectException  | 421 | true",
            "DATA          | 554 5.5.1 no valid recipients | SmtpDeliveryException | 554 | false",
            "DATA          | 451 4.3.0 later              | SmtpDeliveryException | 451 | true",
            "<end-of-data> | 552 5.3.4 message too big    | SmtpDeliveryException | 552 | false",
            "<end-of-data> | 451 4.3.0 queue full         | SmtpDeliveryException | 451 | true",
    })
    void replyMapsToException(String step, String reply, String exception, int code, boolean transientFailure)
            throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on(step, reply);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            Exception failure = route.send("hello").getException();

            assertThat(failure).isNotNull();
            assertThat(failure.getClass().getSimpleName()).isEqualTo(exception);
            SendmailException e = (SendmailException) failure;
            assertThat(e.getCode()).isEqualTo(code);
            assertThat(e.isTransient()).isEqualTo(transientFailure);
            assertThat(e.getMessage()).contains(reply);
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void nobodyListeningIsATransientConnectFailure() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + port
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            SendmailException e = (SendmailException) route.send("hello").getException();
            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("127.0.0.1:" + port);
            assertThat(e.getCode()).isEqualTo(-1);
            assertThat(e.isTransient()).isTrue();
        }
    }

    @Test
    void connectionClosedBeforeMailFromIsTransient() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("MAIL", ScriptedSmtpServer.CLOSE);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            SendmailException e = (SendmailException) route.send("hello").getException();
            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("closed the connection");
            assertThat(e.isTransient()).isTrue();
        }
    }

    @Test
    void connectionClosedAfterTheDataIsNotTransientBecauseTheServerMayHaveTheMessage() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on(ScriptedSmtpServer.END_OF_DATA, ScriptedSmtpServer.CLOSE);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            SendmailException e = (SendmailException) route.send("hello").getException();
            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("may have accepted it");
            assertThat(e.getStep()).isEqualTo("DATA_END");
            assertThat(e.isTransient()).isFalse();
        }
    }
}
