package io.camelsendmail.examples;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.main.Main;

/**
 * One instance of {@link KafkaToEmailRoute}: start as many as the outbox topic has partitions, anywhere, with the same
 * {@code kafka.group-id}. The brokers are {@code kafka.bootstrap-servers} ({@code KAFKA_BOOTSTRAP_SERVERS}); SASL and TLS
 * to them are camel-kafka's own options ({@code CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL}, {@code ..._SASL_MECHANISM},
 * {@code ..._SASL_JAAS_CONFIG}, {@code ..._SSL_TRUSTSTORE_LOCATION}), which the shared repository uses too.
 */
public final class KafkaToEmailApplication {

    private KafkaToEmailApplication() {
    }

    public static void main(String[] args) throws Exception {
        newMain().run(args);
    }

    public static Main newMain() {
        Main main = new Main();
        // this route, not the YAML routes of the examples application (routes/); none is bundled in kafka-routes/
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:kafka-routes/*.camel.yaml");
        // a consumer of the outbox runs until it is stopped, however long the topic stays quiet
        main.addOverrideProperty("camel.main.duration-max-idle-seconds", "0");
        main.configure().addConfiguration(new Configuration());
        return main;
    }

    static final class Configuration implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) throws Exception {
            var properties = context.getPropertiesComponent();
            String brokers = properties.resolveProperty("kafka.bootstrap-servers").orElse("");
            if (brokers.isBlank() || properties.resolveProperty("smtp.host").orElse("").isBlank()) {
                throw new IllegalArgumentException("set kafka.bootstrap-servers and smtp.host (KAFKA_BOOTSTRAP_SERVERS, "
                                                   + "SMTP_HOST): every instance sends through the same brokers and SMTP server");
            }
            if (properties.resolveProperty("kafka.instance-name").orElse("").isBlank()) {
                // the host name as the machine knows it (bash does not export HOSTNAME, so no variable is read)
                properties.addOverrideProperty("kafka.instance-name", java.net.InetAddress.getLocalHost().getHostName());
            }
            context.getComponent("kafka", KafkaComponent.class).getConfiguration().setBrokers(brokers);
            SentMessageIds sent = new SentMessageIds(properties.resolveProperty("kafka.idempotent-topic").orElseThrow(),
                    Integer.parseInt(properties.resolveProperty("kafka.idempotent-capacity").orElse("5200000").trim()));
            sent.setCamelContext(context);
            context.addService(sent, true, true);
            // the group's members are told apart by client id: the instance's name, and a suffix of its own
            String clientId = properties.resolveProperty("kafka.instance-name").orElseThrow() + "-"
                              + Long.toHexString(System.nanoTime() & 0xffffff);
            properties.addOverrideProperty("kafka.client-id", clientId);
            GroupRate groupRate = null;
            String rate = properties.resolveProperty("kafka.group-rate-limit").orElse("").trim();
            if (!rate.isEmpty()) {
                double perSecond;
                try {
                    perSecond = io.camelsendmail.Rate.perSecond(rate);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("kafka.group-rate-limit must be a number of mails per s, min, h "
                                                       + "or day, such as 30/min, got '" + rate + "'", e);
                }
                groupRate = new GroupRate(context, properties.resolveProperty("kafka.group-id").orElseThrow(), clientId,
                        perSecond);
                context.addService(groupRate, true, true);
            }
            context.addRoutes(new KafkaToEmailRoute(sent, groupRate));
        }
    }
}
