package io.camelsendmail;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bad endpoint configuration fails when the route starts, and the error names the option. */
class EndpointConfigurationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "sendmail:mail.example.com:smtp?to=bob@example.com                       | port",
            "sendmail:mail.example.com:0?to=bob@example.com                          | port",
            "sendmail:mail.example.com?to=bob@@example.com                           | option to",
            "sendmail:mail.example.com?from=not an address                           | option from",
            "sendmail:mail.example.com?cc=carol@example.com,<broken                   | option cc",
            "sendmail:mail.example.com?replyTo=a@example.com,b@example.com            | option replyTo",
            "sendmail:mail.example.com?username=alice                                | username and password",
            "sendmail:mail.example.com?requireAuthentication=true                    | requireAuthentication",
            "sendmail:mail.example.com?timeout=0                                     | timeout",
            "sendmail:mail.example.com?connectTimeout=-5                             | connectTimeout",
            "sendmail:mail.example.com?connectTimeout=abc                            | option connectTimeout must be a whole number of milliseconds, got 'abc'",
            "sendmail:mail.example.com?maxConnections=four                           | option maxConnections must be a whole number of connections, got 'four'",
            "sendmail:mail.example.com?dkimDomain=example.com                        | dkimSelector",
            "sendmail:mail.example.com?maxConnections=0                              | maxConnections",
            "sendmail:mail.example.com?maxMessagesPerConnection=0                    | maxMessagesPerConnection",
            "sendmail:mail.example.com?idleTimeout=0                                 | idleTimeout",
            "sendmail:mail.example.com?contentType=text/plain; charset              | contentType",
            "sendmail:mail.example.com?senderDomainName=bad name                     | senderDomainName",
            "sendmail:mail.example.com?noSuchOption=1                                | noSuchOption",
            "sendmail:mail.example.com?username=a@example.com&oauth2TokenUrl=http://login.example.com/token&oauth2ClientId=c | must be https",
            "sendmail:mail.example.com?username=a@example.com&oauth2TokenUrl=ftp://127.0.0.1/token&oauth2ClientId=c | must be an https URL",
            "sendmail:mail.example.com?username=a@example.com&oauth2TokenUrl=https://login.example.com/token | oauth2ClientId",
            "sendmail:mail.example.com?accessToken=t                                 | username",
            "sendmail:mail.example.com?username=a@example.com&accessToken=t&password=p | password",
            "sendmail:mail.example.com?username=a@example.com&accessToken=t&oauth2TokenUrl=https://login.example.com/token&oauth2ClientId=c | set one",
            "sendmail:mail.example.com?username=a@example.com&password=p&oauth2ClientSecret=s | oauth2TokenUrl",
    })
    void badConfigurationFailsAtStartNamingTheOption(String uri, String named) {
        CamelContext context = new DefaultCamelContext();
        try {
            assertThatThrownBy(() -> {
                context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:in").to(uri);
                    }
                });
                context.start();
            }).satisfies(e -> assertThat(messages(e)).contains(named));
        } finally {
            context.stop();
        }
    }

    @Test
    void defaultPortIs25AndImplicitTlsMakesIt465() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            SendmailEndpoint plain = context.getEndpoint("sendmail:mail.example.com", SendmailEndpoint.class);
            SendmailEndpoint implicit = context.getEndpoint("sendmail:mail.example.com?implicitTls=true", SendmailEndpoint.class);
            SendmailEndpoint explicit = context.getEndpoint("sendmail:[::1]:2525", SendmailEndpoint.class);
            assertThat(plain.getConfiguration().effectivePort()).isEqualTo(25);
            assertThat(implicit.getConfiguration().effectivePort()).isEqualTo(465);
            assertThat(explicit.getConfiguration().getHost()).isEqualTo("::1");
            assertThat(explicit.getConfiguration().effectivePort()).isEqualTo(2525);
        } finally {
            context.stop();
        }
    }

    @Test
    void thePasswordNeverAppearsInTheEndpointsLoggedUri() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            SendmailEndpoint endpoint = context.getEndpoint(
                    "sendmail:mail.example.com?username=alice&password=s3cret", SendmailEndpoint.class);
            assertThat(endpoint.toString()).doesNotContain("s3cret");
        } finally {
            context.stop();
        }
    }

    /** Camel's masking of user:password@ must not garble an address in the options: only secrets are masked. */
    @Test
    void theEndpointsUriIsShownIntactWithOnlyItsSecretsMasked() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            SendmailEndpoint endpoint = context.getEndpoint(
                    "sendmail:127.0.0.1:25?from=me@example.com&to=you@example.com&username=me&password=s3cret",
                    SendmailEndpoint.class);
            assertThat(endpoint.toString()).startsWith("sendmail:127.0.0.1:25?").contains("from=me%40example.com")
                    .contains("to=you%40example.com").doesNotContain("s3cret")
                    .doesNotContain("xxxxxx@").doesNotContain("127.0.0.1:xxxxxx");
        } finally {
            context.stop();
        }
    }

    /** A number in a URI and a number as a component property follow one rule: digits, or a duration for milliseconds. */
    @Test
    void numbersFollowOneRuleInAUriAndAsComponentProperties() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            SendmailEndpoint endpoint = context.getEndpoint("sendmail:mail.example.com?connectTimeout=5s&timeout=1m30s"
                                                            + "&idleTimeout=2500", SendmailEndpoint.class);
            assertThat(endpoint.getConfiguration().getConnectTimeout()).isEqualTo(5000);
            assertThat(endpoint.getConfiguration().getTimeout()).isEqualTo(90_000);
            assertThat(endpoint.getConfiguration().getIdleTimeout()).isEqualTo(2500);
            assertThatThrownBy(() -> context.getEndpoint("sendmail:mail.example.com?maxConnections=5s"))
                    .satisfies(e -> assertThat(messages(e)).contains("option maxConnections must be a whole number of connections, got '5s'"));
        } finally {
            context.stop();
        }
        for (String[] property : new String[][] { { "camel.component.sendmail.max-connections", "four", "maxConnections" },
                                                  { "camel.component.sendmail.timeout", "four", "timeout" },
                                                  { "camel.component.sendmail.connectTimeout", "5 seconds", "connectTimeout" } }) {
            CamelContext withProperty = new DefaultCamelContext();
            java.util.Properties properties = new java.util.Properties();
            properties.setProperty(property[0], property[1]);
            withProperty.getPropertiesComponent().setInitialProperties(properties);
            try {
                assertThatThrownBy(() -> {
                    withProperty.start();
                    withProperty.getComponent("sendmail");
                }).satisfies(e -> assertThat(messages(e)).contains(property[0])
                        .contains("option " + property[2] + " must be a whole number").contains("got '" + property[1] + "'"));
            } finally {
                withProperty.stop();
            }
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
