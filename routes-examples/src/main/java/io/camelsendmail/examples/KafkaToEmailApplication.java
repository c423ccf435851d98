package io.camelsendmail.examples;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.main.Main;

/**
 * One instance of {@link KafkaToEmailRoute}: start as many as the outbox topic has partitions, anywhere, with the same
 * {@code kafka.group-id}. The brokers are {@code kafka.bootstrap-servers} ({@code KAFKA_BOOTSTRAP_SERVERS}); SASL and TLS
 * to them are camel-kafka's own options ({@code CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL}, {@code ..._SASL_MECHANISM},
 * {@code ..._SASL_JAAS_CONFIG}, {@code ..._SSL_TRUSTSTORE_LOCATION}), which the shared repository uses too. Without
 * brokers (a first run) it starts a Kafka broker of its own with the topics, and without an SMTP host the embedded SMTP
 * server, and logs the command that puts a mail on the topic ({@link ProduceMail}).
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
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaToEmailApplication.class);

        @Override
        public void configure(CamelContext context) throws Exception {
            var properties = context.getPropertiesComponent();
            String brokers = properties.resolveProperty("kafka.bootstrap-servers").orElse("");
            boolean embedded = brokers.isBlank();
            if (embedded) {
                // a first run: a broker of this JVM's own, with the topics, as the examples start Artemis
                EmbeddedKafka kafka = new EmbeddedKafka(properties.resolveProperty("kafka.topic").orElseThrow(),
                        properties.resolveProperty("kafka.dead-letter-topic").orElseThrow(),
                        properties.resolveProperty("kafka.idempotent-topic").orElseThrow(), 6);
                brokers = kafka.start(true);
                context.addService(kafka, true, true);
                properties.addOverrideProperty("kafka.bootstrap-servers", brokers);
                LOG.info("No kafka.bootstrap-servers configured: started an embedded Kafka broker on {} with the topic {} "
                         + "(6 partitions); put a mail on it with: KAFKA_BOOTSTRAP_SERVERS={} mvn -q -pl routes-examples "
                         + "exec:exec -Dexamples.main=io.camelsendmail.examples.ProduceMail", brokers,
                        properties.resolveProperty("kafka.topic").orElseThrow(), brokers);
            }
            if (properties.resolveProperty("smtp.host").orElse("").isBlank()) {
                if (!embedded) {
                    throw new IllegalArgumentException("set smtp.host (SMTP_HOST): every instance of a group sends through "
                                                       + "the same SMTP server");
                }
                EmbeddedSmtpServer smtp = new EmbeddedSmtpServer();
                context.addService(smtp, true, true);
                properties.addOverrideProperty("smtp.host", "127.0.0.1");
                properties.addOverrideProperty("smtp.port", String.valueOf(smtp.port()));
                LOG.info("No smtp.host configured: sending to the embedded SMTP server on 127.0.0.1:{}", smtp.port());
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
