package io.camelsendmail;

import java.util.Properties;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.TestTls;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A private CA trusted through camel.ssl.trustStore alone, the normal case for a client: Camel Main makes no global SSL
 * parameters without a key store, and useGlobalSslContextParameters then takes the trust store by itself.
 */
class TrustStoreOnlyTest {

    private static Exchange send(ScriptedSmtpServer server, Properties properties) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getComponent("sendmail", SendmailComponent.class).setUseGlobalSslContextParameters(true);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").to("sendmail:127.0.0.1:" + server.port()
                                       + "?from=alice@example.com&to=bob@example.com&requireTransportSecurity=true");
            }
        });
        context.start();
        try {
            return context.createProducerTemplate().send("direct:send", e -> e.getMessage().setBody("hello"));
        } finally {
            context.stop();
        }
    }

    @Test
    void aTrustStoreAloneInCamelSslIsTheTrustOfTheEndpoint() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))) {
            Properties properties = new Properties();
            // as Camel Main reads them, in either spelling
            properties.setProperty("camel.ssl.enabled", "true");
            properties.setProperty("camel.ssl.trust-store", "classpath:tls/truststore.p12");
            properties.setProperty("camel.ssl.trustStorePassword", TestTls.PASSWORD);
            Exchange sent = send(server, properties);

            assertThat(sent.getException()).isNull();
            assertThat(server.received()).anyMatch(r -> r.line().startsWith("MAIL FROM") && r.tls());
            assertThat(server.bodies()).containsExactly("hello");
        }
    }

    @Test
    void withoutItTheJvmTrustStoreRefusesThePrivateCa() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))) {
            Exchange sent = send(server, new Properties());

            assertThat(sent.getException()).isInstanceOf(TransportSecurityRequiredException.class);
            assertThat(server.sawCommand("MAIL")).isFalse();
        }
    }
}
