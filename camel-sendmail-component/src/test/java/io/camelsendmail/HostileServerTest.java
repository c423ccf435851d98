package io.camelsendmail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix of docs/reliability.md: servers that misbehave at each step, and input that must not be sent. Each
 * case asserts what the server received as well as the exception the route sees.
 */
class HostileServerTest {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";

    @TempDir
    Path work;

    private static String uri(ScriptedSmtpServer server, String options) {
        return "sendmail:127.0.0.1:" + server.port() + MAIL + options;
    }

    private static String tlsUri(ScriptedSmtpServer server, String options) {
        return "sendmail:localhost:" + server.port() + MAIL + "&sslContextParameters=#tls" + options;
    }

    // --- TLS downgrade -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "STARTTLS stripped, {0}")
    @CsvSource(delimiter = '|', value = {
            "credentials                          | &username=alice&password=s3cret",
            "requireTransportSecurity             | &requireTransportSecurity=true",
            "credentials and requireTransportSecurity | &username=alice&password=s3cret&requireTransportSecurity=true",
    })
    void starttlsStrippedFromTheEhloReplySendsNothingSecret(String name, String options) throws Exception {
        // a TLS-capable server whose STARTTLS an attacker removed from the EHLO reply
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .withoutExtension("STARTTLS").extensions("AUTH PLAIN LOGIN");
             SendmailRoute route = SendmailRoute.to(tlsUri(server, options))) {
            SendmailException e = (SendmailException) route.send("secret").getException();

            assertThat(e).isInstanceOf(TransportSecurityRequiredException.class).hasMessageContaining("did not offer STARTTLS");
            assertThat(server.commands()).allMatch(c -> c.startsWith("EHLO") || c.equals("QUIT"));
            assertThat(String.join("\n", server.commands())).doesNotContain("s3cret");
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void starttlsStrippedWithoutCredentialsOrRequirementIsPlainSmtpAsForAnyMta() throws Exception {
        // opportunistic TLS cannot tell a stripped STARTTLS from a server without TLS: requireTransportSecurity can
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12")).withoutExtension("STARTTLS");
             SendmailRoute route = SendmailRoute.to(tlsUri(server, ""))) {
            assertThat(route.send("not secret").getException()).isNull();
            assertThat(server.received()).noneMatch(ScriptedSmtpServer.Received::tls);
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void bytesInjectedAfterThe220ToStarttlsAreRefusedNotReadAsReplies() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN LOGIN")
                .on("STARTTLS", "220 2.0.0 go ahead\r\n250-injected\r\n250 AUTH PLAIN");
             SendmailRoute route = SendmailRoute.to(tlsUri(server, "&username=alice&password=s3cret"))) {
            SendmailException e = (SendmailException) route.send("secret").getException();

            assertThat(e).isInstanceOf(TransportSecurityRequiredException.class).hasMessageContaining("STARTTLS injection");
            assertThat(e.isTransient()).isFalse();
            assertThat(server.commands()).containsExactly("EHLO localhost", "STARTTLS");
            assertThat(server.messages()).isEmpty();
        }
    }

    @ParameterizedTest(name = "EHLO inside TLS answered {0}")
    @CsvSource({ "554 5.7.0 no service", "421 4.3.2 closing" })
    void ehloAfterTlsFailingEndsTheConversationWithNothingSent(String reply) throws Exception {
        int[] ehlos = new int[1];
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN LOGIN")
                .dynamic((connection, command) -> command.startsWith("EHLO") && ++ehlos[0] == 2 ? reply : null);
             SendmailRoute route = SendmailRoute.to(tlsUri(server, "&username=alice&password=s3cret"))) {
            SendmailException e = (SendmailException) route.send("secret").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining(reply);
            assertThat(e.getStep()).isEqualTo("EHLO");
            assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL") || c.startsWith("HELO"));
            assertThat(server.messages()).isEmpty();
        }
    }

    // --- Replies ---------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "AUTH answered {0}")
    @CsvSource(delimiter = '|', value = {
            "421 4.3.2 closing                  | SmtpConnectException          | 421 | true",
            "454 4.7.0 temporary auth failure   | AuthenticationFailedException | 454 | true",
            "535 5.7.8 credentials invalid      | AuthenticationFailedException | 535 | false",
    })
    void aRefusedAuthMapsToTheContractsException(String reply, String exception, int code, boolean transientFailure)
            throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN").on("AUTH", reply);
             SendmailRoute route = SendmailRoute.to(uri(server, "&username=alice&password=s3cret&allowPlaintextAuth=true"))) {
            SendmailException e = (SendmailException) route.send("hello").getException();

            assertThat(e.getClass().getSimpleName()).isEqualTo(exception);
            assertThat(e.getCode()).isEqualTo(code);
            assertThat(e.isTransient()).isEqualTo(transientFailure);
            assertThat(e.getMessage()).contains(reply);
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @ParameterizedTest(name = "closed at {0}")
    @CsvSource(delimiter = '|', value = {
            "<greeting>    | CONNECT  | true",
            "EHLO          | EHLO     | true",
            "MAIL          | MAIL     | true",
            "RCPT          | RCPT     | true",
            "DATA          | DATA     | true",
            "<end-of-data> | DATA_END | false",
    })
    void aServerClosingAtEachStepIsAConnectFailureTransientUntilTheDataIsSent(String at, String step, boolean transientFailure)
            throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on(at, ScriptedSmtpServer.CLOSE);
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            SendmailException e = (SendmailException) route.send("hello").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class);
            assertThat(e.isTransient()).isEqualTo(transientFailure);
            assertThat(server.messages()).isEmpty();
            if (!"<greeting>".equals(at)) {
                assertThat(e.getStep()).isEqualTo(step);
            }
        }
    }

    @Test
    void aServerClosingAtAuthIsATransientConnectFailure() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("AUTH PLAIN").on("AUTH", ScriptedSmtpServer.CLOSE);
             SendmailRoute route = SendmailRoute.to(uri(server, "&username=alice&password=s3cret&allowPlaintextAuth=true"))) {
            SendmailException e = (SendmailException) route.send("hello").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("AUTH");
            assertThat(e.getStep()).isEqualTo("AUTH");
            assertThat(e.isTransient()).isTrue();
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void multiLineRepliesAreReadWholeAndKeptInTheStatuses() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .on("RCPT TO:<carol", "550-5.1.1 carol is unknown here\r\n550-5.1.1 see the directory\r\n550 5.1.1 bye")
                .on("MAIL", "250-2.1.0 first line\r\n250 2.1.0 sender ok");
             SendmailRoute route = SendmailRoute.to(uri(server, "").replace("to=bob@example.com", "to=bob@example.com,carol@example.com"))) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isNull();
            List<?> statuses = exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
            assertThat(statuses).element(1).isEqualTo(new RecipientStatus("carol@example.com", 550,
                    "5.1.1 carol is unknown here\n5.1.1 see the directory\n5.1.1 bye"));
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aReplySplitAcrossPacketsIsReadAsOneReply() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .on("MAIL", "25" + ScriptedSmtpServer.PAUSE + "0 2.1.0 sender" + ScriptedSmtpServer.PAUSE + " ok")
                .on("RCPT", "250-2.1.5 first" + ScriptedSmtpServer.PAUSE + "\r\n250 2.1.5 recipient ok");
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isNull();
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aReplyLineThatIsNotSmtpEndsTheConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("MAIL", "HTTP/1.1 400 Bad Request");
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            SendmailException e = (SendmailException) route.send("hello").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("not an SMTP reply");
            assertThat(e.isTransient()).isTrue();
            assertThat(server.sawCommand("RCPT")).isFalse();
        }
    }

    @Test
    void anEndlessReplyLineIsCutOffWithMemoryBounded() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("EHLO", ScriptedSmtpServer.ENDLESS_LINE);
             SendmailRoute route = SendmailRoute.to(uri(server, ""))) {
            long started = System.nanoTime();
            SendmailException e = (SendmailException) route.send("hello").getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class)
                    .hasMessageContaining("longer than 8192");
            // the server had 512 MB to send; the client stopped reading after 8 KB
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    // --- Slowness --------------------------------------------------------------------------------------------------

    @Test
    void aServerDrippingAReplyAByteAtATimeEndsWithinTheTimeout() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .on("MAIL", ScriptedSmtpServer.DRIP + "250 2.1.0 sender ok, eventually, one byte at a time");
             SendmailRoute route = SendmailRoute.to(uri(server, "&timeout=1000"))) {
            long started = System.nanoTime();
            SendmailException e = (SendmailException) route.send("hello").getException();

            // every byte arrives well within the read timeout; the whole reply, 13 s of drips, does not
            assertThat(e).isInstanceOf(SmtpConnectException.class).hasMessageContaining("timed out at MAIL FROM");
            assertThat(e.isTransient()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aServerThatStopsReadingMidDataEndsWithinTheTimeout() throws Exception {
        byte[] large = rawMessage(16 << 20);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("DATA", ScriptedSmtpServer.STALL_AFTER_354);
             SendmailRoute route = SendmailRoute.to(uri(server, "&timeout=1000"))) {
            long started = System.nanoTime();
            SendmailException e = (SendmailException) route.send(large).getException();

            assertThat(e).isInstanceOf(SmtpConnectException.class);
            assertThat(e.getStep()).isEqualTo("CONTENT");
            // the end of the data was never sent: the server cannot have taken it
            assertThat(e.isTransient()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(server.messages()).isEmpty();
        }
    }

    // --- Bad input -------------------------------------------------------------------------------------------------

    @Test
    void aMessageLargerThanTheServersSizeLimitIsRefusedBeforeMailFrom() throws Exception {
        Path fifty = work.resolve("fifty.eml");
        byte[] chunk = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".getBytes(StandardCharsets.US_ASCII);
        try (var out = Files.newOutputStream(fifty)) {
            out.write("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int written = 0; written < 50 << 20; written += chunk.length) {
                out.write(chunk);
            }
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("SIZE 10485760");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port())) {
            SendmailException e = (SendmailException) route.send(fifty.toFile()).getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("accepts at most 10485760 (SIZE)");
            assertThat(e.isTransient()).isFalse();
            assertThat(server.sawCommand("MAIL")).isFalse();
            assertThat(Files.exists(fifty)).isTrue();
        }
    }

    @Test
    void anAddressThatDoesNotParseIsRefusedWithNothingSent() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com")) {
            Exception e = route.send("hello", Map.of("To", "bob@@example.com, <unclosed")).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class).hasMessageContaining("To");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void nonAsciiAddressesGoWithSmtpUtf8WhereTheServerOffersIt() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("SMTPUTF8", "PIPELINING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=jörg@bücher.example")) {
            Exchange exchange = route.send("grüße", Map.of("To", "zoë@example.com", "Subject", "Grüße"));

            assertThat(exchange.getException()).isNull();
            assertThat(server.commands()).contains("MAIL FROM:<jörg@bücher.example> SMTPUTF8", "RCPT TO:<zoë@example.com>");
            assertThat(server.messages()).singleElement().asString().contains("zoë@example.com");
        }
    }

    @Test
    void nonAsciiAddressesAreRefusedBeforeMailFromWhereTheServerDoesNotOfferSmtpUtf8() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com")) {
            SendmailException e = (SendmailException) route.send("hi", Map.of("To", "zoë@example.com")).getException();

            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("SMTPUTF8");
            assertThat(e.isTransient()).isFalse();
            assertThat(server.sawCommand("MAIL")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }

    private static byte[] rawMessage(int bodyBytes) {
        StringBuilder message = new StringBuilder("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: large\r\n\r\n");
        String line = "x".repeat(76) + "\r\n";
        while (message.length() < bodyBytes) {
            message.append(line);
        }
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
