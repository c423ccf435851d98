package io.camelsendmail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
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
            assertThat(route.send("plain").getException()).isNull();
            assertThat(route.send("notified", Map.of(SendmailConstants.DSN_NOTIFY, "SUCCESS", SendmailConstants.DSN_RET, "FULL"))
                    .getException()).isNull();

            assertThat(server.commands()).containsSubsequence("MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>",
                    "MAIL FROM:<alice@example.com> RET=FULL", "RCPT TO:<bob@example.com> NOTIFY=SUCCESS ORCPT=rfc822;bob@example.com");
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
        Path smtpSink = Path.of("/usr/sbin/smtp-sink");
        assumeThat(Files.isExecutable(smtpSink)).as("smtp-sink (apt-get install postfix)").isTrue();
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(smtpSink.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", dump + "/%M.", "127.0.0.1:" + port, "8"));
        Process sink = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dump.resolve("sink.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> listening(port));
            try (SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + port + MAIL
                                                        + ",carol@example.com&dsnNotify=SUCCESS,FAILURE&dsnRet=HDRS&dsnEnvid=run-7")) {
                Exchange exchange = route.send("with DSN");
                assertThat(exchange.getException()).isNull();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dumps().size() == 1);
            String transaction = Files.readString(dumps().get(0));
            assertThat(transaction).contains("X-Mail-Args: <alice@example.com> RET=HDRS ENVID=run-7",
                    "X-Rcpt-Args: <bob@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.com",
                    "X-Rcpt-Args: <carol@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol@example.com");
        } finally {
            sink.destroy();
            if (!sink.waitFor(5, TimeUnit.SECONDS)) {
                sink.destroyForcibly();
            }
        }
    }

    private List<Path> dumps() throws IOException {
        try (Stream<Path> files = Files.list(dump)) {
            return files.filter(f -> !f.getFileName().toString().equals("sink.log")).toList();
        }
    }

    private static boolean listening(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
