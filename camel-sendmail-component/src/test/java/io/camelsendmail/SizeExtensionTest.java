package io.camelsendmail;

import java.nio.charset.StandardCharsets;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the server announces SIZE, MAIL FROM carries the message's size as RFC 1870 counts it: the bytes DATA sends
 * after the 354, without the dot-stuffing.
 */
class SizeExtensionTest {

    @Test
    void sizeIsTheDataAsSentWithoutDotStuffingAndTheMessageArrivesIntact() throws Exception {
        byte[] raw = "From: alice@example.com\nTo: bob@example.com\nSubject: sized\n\n.one\n..two\nbare LF\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("SIZE 100000");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port())) {
            assertThat(route.send(raw).getException()).isNull();

            String message = server.messages().get(0);
            assertThat(message).contains("\r\n\r\n.one\r\n..two\r\nbare LF\r\n");
            // what arrived after the 354: two lines start with a dot, and each went with one more
            String wire = server.wireData().get(0);
            assertThat(wire).contains("\r\n\r\n..one\r\n...two\r\n");
            int size = wire.getBytes(StandardCharsets.UTF_8).length - 2;
            assertThat(size).isEqualTo(message.getBytes(StandardCharsets.UTF_8).length);
            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com> SIZE=" + size);
        }
    }
}
