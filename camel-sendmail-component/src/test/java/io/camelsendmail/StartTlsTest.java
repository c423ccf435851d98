package io.camelsendmail;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import io.camelsendmail.support.TestTls;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** STARTTLS is used whenever the server offers it, and everything after it (AUTH, MAIL, the data) is inside TLS. */
class StartTlsTest {

    @Test
    void upgradesWhenOfferedAndSendsEverythingAfterEhloInsideTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN LOGIN");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret&sslContextParameters=#tls")) {
            Exchange exchange = route.send("over TLS");

            assertThat(exchange.getException()).isNull();
            assertThat(server.messages()).hasSize(1);
            assertThat(server.commands()).containsSubsequence("STARTTLS", "MAIL FROM:<alice@example.com>",
                    "RCPT TO:<bob@example.com>", "DATA");
            // before STARTTLS only EHLO and STARTTLS itself travel in the clear
            assertThat(server.received()).filteredOn(r -> !r.tls()).extracting(r -> r.line().split(" ")[0])
                    .containsExactly("EHLO", "STARTTLS");
            assertThat(server.received()).filteredOn(r -> r.line().startsWith("AUTH")).allMatch(r -> r.tls());
        }
    }

    @Test
    void theContextsGlobalSslContextParametersServeWhereTheComponentIsToldToUseThem() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))) {
            for (boolean global : new boolean[] { true, false }) {
                org.apache.camel.CamelContext context = new org.apache.camel.impl.DefaultCamelContext();
                // camel.ssl.* in Camel Main and Spring Boot
                context.setSSLContextParameters(TestTls.clientTrust());
                SendmailComponent component = new SendmailComponent();
                component.setUseGlobalSslContextParameters(global);
                context.addComponent("sendmail", component);
                context.start();
                try {
                    Exchange exchange = context.createProducerTemplate().request("sendmail:localhost:" + server.port()
                            + "?from=alice@example.com&to=bob@example.com&requireTransportSecurity=true",
                            e -> e.getMessage().setBody("global trust: " + global));
                    if (global) {
                        assertThat(exchange.getException()).isNull();
                    } else {
                        // the JVM's own trust store does not know the test certificate
                        assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class);
                    }
                } finally {
                    context.stop();
                }
            }
            assertThat(server.messages()).hasSize(1);
            assertThat(server.messages().get(0)).contains("global trust: true");
        }
    }

    @Test
    void opportunisticTlsWithoutCredentialsStillUpgrades() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls")) {
            assertThat(route.send("hello").getException()).isNull();
            assertThat(server.received()).filteredOn(r -> r.line().startsWith("MAIL")).singleElement()
                    .satisfies(r -> assertThat(r.tls()).isTrue());
        }
    }

    @Test
    void aRefusedStarttlsFailsTheSendRatherThanFallingBackToPlaintext() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .on("STARTTLS", "454 4.7.0 TLS not available due to temporary reason");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls")) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class);
            SendmailException e = (SendmailException) exchange.getException();
            assertThat(e.getCode()).isEqualTo(454);
            assertThat(e.isTransient()).isTrue();
            assertThat(e.getMessage()).contains("454 4.7.0 TLS not available");
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }

    @Test
    void anUntrustedCertificateAtStarttlsSendsNothingMore() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("untrusted.p12"))
                .extensions("AUTH PLAIN");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com"
                                                    + "&username=alice&password=s3cret&sslContextParameters=#tls")) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class)
                    .hasMessageContaining("TLS");
            assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
        }
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("wrong-host.p12"));
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com&sslContextParameters=#tls")) {
            Exchange exchange = route.send("hello");

            assertThat(exchange.getException()).isInstanceOf(TransportSecurityRequiredException.class);
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }
}
