package io.camelsendmail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.SmtpSink;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** Delivery status notifications (RFC 3461): NOTIFY and ORCPT on RCPT, RET and ENVID on MAIL, where the server offers DSN. */
class DsnTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    @TempDir
    Path dump;

    @Test
    void theOptionsGoOnMailAndRcptWhereTheServerOffersDsn() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("DSN", "PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&dsnNotify=failure,delay&dsnRet=hdrs&dsnEnvid=RAW(order 42+1)")) {
            assertThat(route.send("with DSN").getException()).isNull();

            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com> RET=HDRS ENVID=order+2042+2B1",
                    "RCPT TO:<bob@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.com");
        }
    }

    @Test
    void exchangeHeadersAskForOneMessage() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("DSN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exchange plain = route.send("plain");
            assertThat(plain.getException()).isNull();
            Exchange notified = route.send("notified", Map.of(SendmailConstants.DSN_NOTIFY, "SUCCESS", SendmailConstants.DSN_RET, "FULL"));
            assertThat(notified.getException()).isNull();

            // every message names itself in ENVID, the left-hand side of its Message-ID: a report about it gives it back
            assertThat(server.commands()).containsSubsequence("MAIL FROM:<alice@example.com> ENVID=" + envid(plain),
                    "RCPT TO:<bob@example.com> ORCPT=rfc822;bob@example.com",
                    "MAIL FROM:<alice@example.com> RET=FULL ENVID=" + envid(notified),
                    "RCPT TO:<bob@example.com> NOTIFY=SUCCESS ORCPT=rfc822;bob@example.com");
            assertThat(envid(plain)).isNotEqualTo(envid(notified)).isNotBlank();
        }
    }

    @Test
    void aServerWithoutDsnRefusesBeforeMailFromUnlessDsnIsOptional() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute required = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL + "&dsnNotify=FAILURE");
             SendmailRoute optional = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                       + "&dsnNotify=FAILURE&dsnRequired=false")) {
            SendmailException e = (SendmailException) required.send("needs DSN").getException();
            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("does not offer DSN")
                    .hasMessageContaining("dsnRequired=false");
            assertThat(e.isTransient()).isFalse();
            assertThat(server.sawCommand("MAIL")).isFalse();

            assertThat(optional.send("goes without").getException()).isNull();
            assertThat(server.commands()).contains("MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>");
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aWrongValueIsRefusedNamingIt() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("DSN");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exception e = route.send("x", Map.of(SendmailConstants.DSN_NOTIFY, "SOMETIMES")).getException();
            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("dsnNotify").hasMessageContaining("SOMETIMES");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void postfixsSmtpSinkReceivesTheDsnParameters() throws Exception {
        assumeThat(Files.isExecutable(SmtpSink.PROGRAM)).as("smtp-sink (apt-get install postfix)").isTrue();
        try (SmtpSink sink = SmtpSink.start(dump);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + sink.port() + MAIL
                                                    + ",carol@example.com&dsnNotify=SUCCESS,FAILURE&dsnRet=HDRS&dsnEnvid=run-7")) {
            Exchange exchange = route.send("with DSN");
            assertThat(exchange.getException()).isNull();

            await().atMost(Duration.ofSeconds(10)).until(() -> sink.transactions().size() == 1);
            assertThat(sink.transactions().get(0)).contains("X-Mail-Args: <alice@example.com> RET=HDRS ENVID=run-7",
                    "X-Rcpt-Args: <bob@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.com",
                    "X-Rcpt-Args: <carol@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol@example.com");
        }
    }

    private static String envid(Exchange sent) {
        String messageId = sent.getMessage().getHeader(SendmailConstants.MESSAGE_ID, String.class);
        return messageId.substring(1, messageId.indexOf('@'));
    }
}
