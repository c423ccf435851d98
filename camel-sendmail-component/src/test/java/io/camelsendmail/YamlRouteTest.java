package io.camelsendmail;

import java.util.List;
import java.util.Properties;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A route written in the YAML DSL (as Karavan and Camel JBang users write them) sends through sendmail:. */
class YamlRouteTest {

    @Test
    void yamlRouteDeliversWithOptionsAsParameters() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            CamelContext context = new DefaultCamelContext();
            try {
                Properties properties = new Properties();
                properties.setProperty("smtp.port", String.valueOf(server.port()));
                context.getPropertiesComponent().setInitialProperties(properties);
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveMandatoryResource(context, "classpath:routes/send-mail.camel.yaml"));
                context.start();

                Exchange exchange = context.createProducerTemplate().send("direct:yaml", e -> {
                    e.getMessage().setBody("Your order is on its way.");
                    e.getMessage().setHeader("orderId", "A-17");
                });

                assertThat(exchange.getException()).isNull();
                assertThat(exchange.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(2);
                assertThat(exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class)).hasSize(2);
            } finally {
                context.stop();
            }
            assertThat(server.commands()).containsSubsequence("MAIL FROM:<shop@example.com>",
                    "RCPT TO:<customer@example.com>", "RCPT TO:<archive@example.com>");
            assertThat(server.messages()).singleElement().asString()
                    .contains("Subject: Order A-17 shipped").contains("Your order is on its way.").doesNotContain("archive@");
        }
    }
}
