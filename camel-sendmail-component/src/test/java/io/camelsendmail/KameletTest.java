package io.camelsendmail;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.TestTls;
import io.camelsendmail.support.TokenEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kamelet shipped in the jar ({@code kamelets/sendmail-sink.kamelet.yaml}). Its template and properties are
 * instantiated here as a YAML DSL route template (what the kamelet component does with them), with
 * {@code kamelet:source} as a direct endpoint.
 */
class KameletTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> kamelet() throws Exception {
        try (InputStream in = KameletTest.class.getResourceAsStream("/kamelets/sendmail-sink.kamelet.yaml")) {
            assertThat(in).as("kamelets/sendmail-sink.kamelet.yaml on the class path").isNotNull();
            return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKameletIsASinkWithEveryPropertyDocumented() throws Exception {
        Map<String, Object> kamelet = kamelet();
        assertThat(kamelet).containsEntry("kind", "Kamelet");
        Map<String, Object> metadata = (Map<String, Object>) kamelet.get("metadata");
        assertThat(metadata).containsEntry("name", "sendmail-sink");
        assertThat((Map<String, Object>) metadata.get("labels")).containsEntry("camel.apache.org/kamelet.type", "sink");
        Map<String, Object> definition = (Map<String, Object>) ((Map<String, Object>) kamelet.get("spec")).get("definition");
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) definition.get("properties");
        assertThat(properties).containsKeys("host", "port", "from", "to", "cc", "bcc", "subject", "username", "password",
                "requireTransportSecurity", "implicitTls", "accessToken", "oauth2TokenUrl", "oauth2ClientId",
                "oauth2ClientSecret", "oauth2Scope", "oauth2RefreshToken", "tokenProvider", "sslContextParameters",
                "replyTo", "contentType", "alternativeBody", "senderDomainName", "allowPartialDelivery", "allowPlaintextAuth",
                "requireAuthentication", "connectTimeout", "timeout", "maxConnections", "dsnNotify", "dkimDomain",
                "dkimSelector", "dkimPrivateKeyFile");
        // no default port: the component's own (25, or 465 with implicitTls)
        assertThat(properties.get("port")).doesNotContainKey("default");
        assertThat(properties.values()).allSatisfy(p -> assertThat(p).containsKeys("title", "description", "type"));
        for (String secret : List.of("password", "accessToken", "oauth2ClientSecret", "oauth2RefreshToken")) {
            assertThat(properties.get(secret)).containsEntry("format", "password");
        }
    }

    /** The kamelet's template as a YAML DSL route template whose source is {@code direct:kamelet-source}. */
    @SuppressWarnings("unchecked")
    private static String templateYaml() throws Exception {
        Map<String, Object> spec = (Map<String, Object>) kamelet().get("spec");
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>)
                ((Map<String, Object>) spec.get("definition")).get("properties");
        Map<String, Object> from = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("from");
        assertThat(from).containsEntry("uri", "kamelet:source");
        from.put("uri", "direct:kamelet-source");

        List<Map<String, Object>> parameters = new ArrayList<>();
        properties.forEach((name, p) -> {
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", name);
            if (p.containsKey("default")) {
                parameter.put("defaultValue", String.valueOf(p.get("default")));
            } else {
                parameter.put("required", false);
            }
            parameters.add(parameter);
        });
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("id", "sendmail-sink");
        template.put("parameters", parameters);
        template.put("from", from);
        return new Dump(DumpSettings.builder().build()).dumpToString(List.of(Map.of("routeTemplate", template)));
    }

    @Test
    void theKameletTemplateSendsMail() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            CamelContext context = new DefaultCamelContext();
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("sendmail-sink.camel.yaml", templateYaml()));
                context.start();
                TemplatedRouteBuilder.builder(context, "sendmail-sink")
                        .parameter("host", "127.0.0.1").parameter("port", String.valueOf(server.port()))
                        .parameter("from", "events@example.com").parameter("to", "ops@example.com")
                        .parameter("subject", "event").add();

                Exchange exchange = context.createProducerTemplate().send("direct:kamelet-source",
                        e -> e.getMessage().setBody("an event happened"));
                assertThat(exchange.getException()).isNull();
                assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
            } finally {
                context.stop();
            }
            assertThat(server.commands()).contains("MAIL FROM:<events@example.com>", "RCPT TO:<ops@example.com>");
            assertThat(server.messages()).singleElement().asString().contains("Subject: event").contains("an event happened");
        }
    }

    @Test
    void withImplicitTlsAndNoPortTheKameletUses465AndEveryOptionReachesTheEndpoint() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("sendmail-sink.camel.yaml", templateYaml()));
            context.start();
            TemplatedRouteBuilder.builder(context, "sendmail-sink")
                    .parameter("host", "smtp.example.com").parameter("implicitTls", "true")
                    .parameter("replyTo", "help@example.com").parameter("contentType", "text/html; charset=UTF-8")
                    .parameter("allowPartialDelivery", "false").parameter("connectTimeout", "5000")
                    .parameter("senderDomainName", "events.example.com").add();
            SendmailEndpoint endpoint = context.getEndpoints().stream().filter(SendmailEndpoint.class::isInstance)
                    .map(SendmailEndpoint.class::cast).findFirst().orElseThrow();
            SendmailConfiguration c = endpoint.getConfiguration();
            assertThat(c.effectivePort()).isEqualTo(465);
            assertThat(c.isImplicitTls()).isTrue();
            assertThat(c.getReplyTo()).isEqualTo("help@example.com");
            assertThat(c.getContentType()).isEqualTo("text/html; charset=UTF-8");
            assertThat(c.isAllowPartialDelivery()).isFalse();
            assertThat(c.getConnectTimeout()).isEqualTo(5000);
            assertThat(c.getSenderDomainName()).isEqualTo("events.example.com");
        } finally {
            context.stop();
        }
    }

    @Test
    void theKameletSignsInWithTheBuiltInOAuth2Client() throws Exception {
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer("events@example.com", "XOAUTH2")) {
            CamelContext context = new DefaultCamelContext();
            try {
                context.getRegistry().bind("tls", TestTls.clientTrust());
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("sendmail-sink.camel.yaml", templateYaml()));
                context.start();
                TemplatedRouteBuilder.builder(context, "sendmail-sink")
                        .parameter("host", "localhost").parameter("port", String.valueOf(server.port()))
                        .parameter("from", "events@example.com").parameter("to", "ops@example.com")
                        .parameter("username", "events@example.com").parameter("sslContextParameters", "#tls")
                        .parameter("oauth2TokenUrl", tokens.url()).parameter("oauth2ClientId", TokenEndpoint.CLIENT_ID)
                        .parameter("oauth2ClientSecret", TokenEndpoint.CLIENT_SECRET)
                        .parameter("oauth2Scope", "https://mail.example.com/").add();

                Exchange exchange = context.createProducerTemplate().send("direct:kamelet-source",
                        e -> e.getMessage().setBody("signed in with OAuth 2.0"));
                assertThat(exchange.getException()).isNull();
            } finally {
                context.stop();
            }
            assertThat(tokens.requests()).isEqualTo(1);
            assertThat(tokens.forms().get(0)).containsEntry("grant_type", "client_credentials");
            assertThat(server.commands()).anyMatch(c -> c.startsWith("AUTH XOAUTH2 "));
            assertThat(server.received()).filteredOn(r -> r.line().startsWith("AUTH")).allMatch(ScriptedSmtpServer.Received::tls);
            assertThat(server.messages()).singleElement().asString().contains("signed in with OAuth 2.0");
        }
    }
}
