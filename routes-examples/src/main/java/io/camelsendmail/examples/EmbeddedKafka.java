package io.camelsendmail.examples;

import java.util.List;
import java.util.Map;

import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node KRaft Kafka broker on loopback, inside this JVM, with the outbox, dead letter and repository topics:
 * for a first run of {@link KafkaToEmailApplication} without brokers of one's own, as the examples start Artemis. Its
 * data is temporary: it is gone when the application stops.
 */
final class EmbeddedKafka extends ServiceSupport {

    private final String outbox;
    private final String deadLetters;
    private final String sent;
    private final int partitions;
    private KafkaClusterTestKit cluster;

    EmbeddedKafka(String outbox, String deadLetters, String sent, int partitions) {
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.sent = sent;
        this.partitions = partitions;
    }

    /** Starts the broker now, so that its address is known when the routes are built. */
    String start(boolean quiet) throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        // formatting prints the cluster's bootstrap metadata to standard output
        java.io.PrintStream out = System.out;
        if (quiet) {
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(outbox, partitions, (short) 1), new NewTopic(deadLetters, 1, (short) 1),
                    new NewTopic(sent, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        return cluster.bootstrapServers();
    }

    @Override
    protected void doStop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }
}
