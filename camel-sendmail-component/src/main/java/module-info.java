/**
 * The sendmail: Camel component. Only {@code io.camelsendmail} is exported: the SMTP engine
 * ({@code io.camelsendmail.smtp}) and the message preparation ({@code io.camelsendmail.message}) are internal.
 * <p>
 * Camel's jars are automatic modules (named from their file names, as they declare no module name of their own).
 */
@SuppressWarnings({ "requires-automatic", "requires-transitive-automatic" })
module io.camelsendmail {
    requires transitive camel.api;
    requires transitive camel.support;
    requires camel.util;
    requires camel.health;
    // @ManagedResource for JMX, and the dev console's JSON
    requires camel.management.api;
    requires camel.util.json;
    requires camel.attachments;
    requires transitive jakarta.mail;
    requires jakarta.activation;
    requires org.slf4j;
    // TCP_QUICKACK on the SMTP socket
    requires jdk.net;
    requires oauth2.oidc.sdk;
    // the @Generated annotation on the configurers that camel-package-maven-plugin writes
    requires static java.compiler;
    // meters only where the application has Micrometer
    requires static micrometer.core;

    exports io.camelsendmail;
    // the converters generated loader is found by the type converter registry
    opens io.camelsendmail to camel.api, camel.support;
}
