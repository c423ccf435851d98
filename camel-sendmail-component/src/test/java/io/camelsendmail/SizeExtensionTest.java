package io.camelsendmail;

import java.nio.charset.StandardCharsets;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the server announces SIZE, MAIL FROM carries the number of bytes DATA then sends, dot-stuffing included. */
class SizeExtensionTest {

    @Test
    void sizeIsTheDataAsSentAndTheMessageArrivesIntact() throws Exception {
        byte[] raw = "From: alice@example.com\nTo: bob@example.com\nSubject: sized\n\n.one\n..two\nbare LF\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("SIZE 100000");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port())) {
            assertThat(route.send(raw).getException()).isNull();

            String message = server.messages().get(0);
            assertThat(message).contains("\r\n\r\n.one\r\n..two\r\nbare LF\r\n");
            // two lines start with a dot: each went with one more
            int wire = message.getBytes(StandardCharsets.UTF_8).length + 2;
            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com> SIZE=" + wire);
        }
    }
}
