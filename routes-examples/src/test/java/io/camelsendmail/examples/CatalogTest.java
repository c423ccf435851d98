package io.camelsendmail.examples;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

import io.camelsendmail.SendmailComponent;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.tooling.model.ComponentModel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Camel's tooling reads from the component's jar, as a user's project has it: component.properties names the component and the coordinates, and the
 * catalog (as camel doc, Camel JBang and the IDE plugins use it) loads the component's JSON and validates URIs with it.
 */
class CatalogTest {

    private static String resource(String name) throws Exception {
        try (InputStream in = SendmailComponent.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void componentPropertiesNamesTheComponentAndItsCoordinates() throws Exception {
        Properties properties = new Properties();
        properties.load(new java.io.StringReader(resource("/META-INF/services/org/apache/camel/component.properties")));
        assertThat(properties).containsEntry("components", "sendmail").containsEntry("groupId", "io.camelsendmail")
                .containsEntry("artifactId", "camel-sendmail");
        assertThat(properties.getProperty("version")).doesNotContain("${");
        // the component itself, as Camel finds it by its scheme
        assertThat(resource("/META-INF/services/org/apache/camel/component/sendmail")).contains("io.camelsendmail.SendmailComponent");
    }

    @Test
    void theCatalogLoadsTheJsonAndValidatesUrisWithIt() throws Exception {
        CamelCatalog catalog = new DefaultCamelCatalog();
        catalog.addComponent("sendmail", SendmailComponent.class.getName(), resource("/META-INF/io/camelsendmail/sendmail.json"));

        ComponentModel model = catalog.componentModel("sendmail");
        assertThat(model.getScheme()).isEqualTo("sendmail");
        assertThat(model.getGroupId()).isEqualTo("io.camelsendmail");
        assertThat(model.getEndpointOptions()).extracting(o -> o.getName()).contains("host", "port", "from", "to",
                "requireTransportSecurity", "maxConnections", "dkimDomain", "oauth2TokenUrl", "healthCheckInterval");
        assertThat(model.getComponentOptions()).extracting(o -> o.getName()).contains("useGlobalSslContextParameters");
        assertThat(model.getEndpointHeaders()).extracting(h -> h.getName()).contains("CamelSendmailAccepted",
                "CamelSendmailStatuses");

        EndpointValidationResult good = catalog.validateEndpointProperties(
                "sendmail:smtp.example.com:587?from=alerts@example.com&requireTransportSecurity=true&maxConnections=2");
        assertThat(good.isSuccess()).as(good.summaryErrorMessage(false)).isTrue();
        EndpointValidationResult bad = catalog.validateEndpointProperties(
                "sendmail:smtp.example.com:587?maxConnections=four&requireTransportSecurty=true");
        assertThat(bad.isSuccess()).isFalse();
        assertThat(bad.getInvalidInteger()).containsKey("maxConnections");
        assertThat(bad.getUnknown()).contains("requireTransportSecurty");

        assertThat(catalog.asEndpointUri("sendmail", Map.of("host", "smtp.example.com", "port", "465", "implicitTls", "true"),
                false)).isEqualTo("sendmail:smtp.example.com:465?implicitTls=true");
    }
}
