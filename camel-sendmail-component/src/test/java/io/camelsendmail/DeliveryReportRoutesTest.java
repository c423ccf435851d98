package io.camelsendmail;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.camelsendmail.smtp.QueueId;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery reports in routes: the data format, the suppression list that a bounce route fills and a sending route
 * honours (nothing sent to a suppressed address, its own status in the result), and the server's queue id.
 */
class DeliveryReportRoutesTest {

    private static final String MAIL = "?from=orders@shop.example&subject=Order";

    @Test
    void aYamlBounceRouteFillsTheSuppressionListThatTheSendingRouteHonours() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            CamelContext context = new DefaultCamelContext();
            try {
                Properties properties = new Properties();
                properties.setProperty("smtp.port", String.valueOf(server.port()));
                context.getPropertiesComponent().setInitialProperties(properties);
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveMandatoryResource(context, "classpath:reports/bounces.camel.yaml"));
                context.start();

                byte[] bounce;
                try (InputStream in = getClass().getResourceAsStream("/bounces/postfix-dsn.eml")) {
                    bounce = in.readAllBytes();
                }
                Exchange read = context.createProducerTemplate().send("direct:bounce", e -> e.getMessage().setBody(bounce));
                assertThat(read.getException()).isNull();
                assertThat(read.getMessage().getHeader(SendmailConstants.REPORT_TYPE)).isEqualTo("DELIVERY_STATUS");
                IdempotentRepository suppressions = context.getRegistry().lookupByNameAndType("suppressions",
                        IdempotentRepository.class);
                // alice failed for good (5.1.1); bob's delay is no reason to stop mailing him
                assertThat(suppressions.contains("alice@example.org")).isTrue();
                assertThat(suppressions.contains("bob@example.org")).isFalse();

                Exchange sent = context.createProducerTemplate().send("direct:order", e -> e.getMessage().setBody("Shipped."));
                assertThat(sent.getException()).isNull();
                assertThat(sent.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(1);
                List<?> statuses = sent.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
                assertThat(statuses).hasSize(2);
                RecipientStatus alice = (RecipientStatus) statuses.get(0);
                assertThat(alice.address()).isEqualTo("alice@example.org");
                assertThat(alice.code()).isEqualTo(550);
                assertThat(alice.response()).startsWith("suppressed:");
                assertThat(((RecipientStatus) statuses.get(1)).address()).isEqualTo("carol@example.org");
                assertThat(((RecipientStatus) statuses.get(1)).accepted()).isTrue();
            } finally {
                context.stop();
            }
            assertThat(server.commands()).contains("RCPT TO:<carol@example.org>")
                    .noneMatch(c -> c.contains("alice@example.org"));
            assertThat(server.messages()).singleElement().asString().contains("Shipped.");
        }
    }

    @Test
    void aMessageWhoseEveryRecipientIsSuppressedFailsBeforeAnyConnection() throws Exception {
        MemoryIdempotentRepository suppressions = new MemoryIdempotentRepository();
        suppressions.start();
        suppressions.add("gone@example.com");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&suppressionRepository=#suppressions", Map.of("suppressions", suppressions))) {
            Exchange none = route.send("x", Map.of("To", "Gone@Example.com"));
            assertThat(none.getException()).isInstanceOf(SmtpDeliveryException.class)
                    .hasMessageContaining("every recipient is on the suppression list").hasMessageContaining("Gone@Example.com");
            SendmailException e = (SendmailException) none.getException();
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getCode()).isEqualTo(550);
            assertThat(e.getStatuses()).singleElement().satisfies(s -> assertThat(s.response()).startsWith("suppressed:"));
            assertThat(server.connections()).isZero();

            Exchange some = route.send("y", Map.of("To", "bob@example.com, gone@example.com"));
            assertThat(some.getException()).isNull();
            assertThat(some.getMessage().getHeader(SendmailConstants.STATUSES, List.class)).extracting(Object::toString)
                    .containsExactly("bob@example.com 250 2.1.5 recipient ok",
                            "gone@example.com 550 " + SendmailProducer.SUPPRESSED);
            assertThat(server.commands()).noneMatch(c -> c.contains("gone@"));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute strict = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                     + "&allowPartialDelivery=false&suppressionRepository=#suppressions",
                     Map.of("suppressions", suppressions))) {
            Exception e = strict.send("z", Map.of("To", "bob@example.com, gone@example.com")).getException();
            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("1 of 2 recipients are on the suppression list")
                    .hasMessageContaining("allowPartialDelivery=false");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aSuppressionListThatCannotBeReadSendsNothingAndIsTransient() throws Exception {
        MemoryIdempotentRepository down = new MemoryIdempotentRepository() {
            @Override
            public boolean contains(String key) {
                throw new IllegalStateException("connection to the database refused");
            }
        };
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&to=bob@example.com&suppressionRepository=#down", Map.of("down", down))) {
            Exception e = route.send("x").getException();
            assertThat(e).isInstanceOf(SendmailException.class).hasMessageContaining("suppression list")
                    .hasMessageContaining("connection to the database refused").hasMessageContaining("nothing was sent");
            assertThat(((SendmailException) e).isTransient()).isTrue();
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void theQueueIdTheServerNamesIsAHeader() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .on(ScriptedSmtpServer.END_OF_DATA, "250 2.0.0 Ok: queued as 4XyZ1b2C3d");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL + "&to=bob@example.com")) {
            Exchange sent = route.send("x");
            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.QUEUE_ID)).isEqualTo("4XyZ1b2C3d");
        }
        assertThat(QueueId.of("OK id=1vAbCd-000123-Xy")).isEqualTo("1vAbCd-000123-Xy");
        assertThat(QueueId.of("2.6.0 <a@b> [InternalId=41918880153817, Hostname=AM0PR01MB1234.eurprd01.prod.outlook.com] "
                              + "12345 bytes in 0.123, 98.765 KB/sec Queued mail for delivery")).isEqualTo("41918880153817");
        assertThat(QueueId.of("Ok 0102018f00000000-11111111-2222-3333-4444-555555555555-000000"))
                .isEqualTo("0102018f00000000-11111111-2222-3333-4444-555555555555-000000");
        assertThat(QueueId.of("2.0.0 OK  1764493202 d9443c01a7336-1f3a1234sm1234567pld.12 - gsmtp"))
                .isEqualTo("d9443c01a7336-1f3a1234sm1234567pld.12");
        assertThat(QueueId.of("2.0.0 5AU9A0aB012345 Message accepted for delivery")).isEqualTo("5AU9A0aB012345");
        assertThat(QueueId.of("ok 1764493202 qp 12345")).isEqualTo("qp 12345");
        assertThat(QueueId.of("OK")).isNull();
        assertThat(QueueId.of("2.0.0 Ok")).isNull();
    }

    @Test
    void theDataFormatReadsAStreamInAJavaRoute() throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bounce").unmarshal().custom("deliveryReport");
            }
        });
        context.start();
        try {
            Exchange read = context.createProducerTemplate().send("direct:bounce",
                    e -> e.getMessage().setBody(getClass().getResourceAsStream("/bounces/exim-text.eml")));
            assertThat(read.getException()).isNull();
            assertThat(read.getMessage().getHeader(SendmailConstants.REPORT_TYPE)).isEqualTo("BOUNCE");
            assertThat(read.getMessage().getBody(List.class)).extracting(r -> ((DeliveryReport) r).recipient())
                    .containsExactly("carol@example.com", "dave@nowhere.example");

            Exchange vacation = context.createProducerTemplate().send("direct:bounce",
                    e -> e.getMessage().setBody(getClass().getResourceAsStream("/bounces/vacation.eml")));
            assertThat(vacation.getMessage().getBody(List.class)).isEmpty();
            assertThat(vacation.getMessage().getHeader(SendmailConstants.REPORT_TYPE)).isEqualTo("AUTO_REPLY");

            DeliveryReports converted = context.getTypeConverter().mandatoryConvertTo(DeliveryReports.class,
                    getClass().getResourceAsStream("/bounces/qmail.eml").readAllBytes());
            assertThat(converted.reports()).extracting(DeliveryReport::status).containsExactly("5.1.1");
        } finally {
            context.stop();
        }
    }
}
