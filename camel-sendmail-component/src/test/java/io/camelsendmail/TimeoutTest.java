package io.camelsendmail;

import java.time.Duration;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every network wait is bounded by timeout: a server that says nothing ends the send with SmtpConnectException. */
class TimeoutTest {

    @ParameterizedTest
    @ValueSource(strings = { ScriptedSmtpServer.GREETING, "EHLO", "MAIL", "RCPT", "DATA" })
    void aSilentServerTimesOut(String step) throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on(step, ScriptedSmtpServer.SILENT);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&timeout=300")) {
            long start = System.nanoTime();
            SendmailException e = (SendmailException) route.send("hello").getException();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("timed out");
            assertThat(e.isTransient()).isTrue();
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        }
    }
}
