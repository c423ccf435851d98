package io.camelsendmail.examples.support;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft Kafka cluster (broker and controller combined) in this JVM, on loopback, with the outbox topics of
 * KafkaToEmailRoute, and a producer of outbox records.
 */
public final class KafkaTestCluster extends KafkaOutbox {

    private final KafkaClusterTestKit cluster;

    private KafkaTestCluster(KafkaClusterTestKit cluster) {
        super(cluster.bootstrapServers());
        this.cluster = cluster;
    }

    /** Starts the cluster and creates the outbox topic with this many partitions, its dead-letter and sent topics. */
    public static KafkaTestCluster start(int partitions) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        // the format step prints its bootstrap metadata to standard output
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        try (var admin = cluster.admin()) {
            createTopics(admin, partitions);
        }
        return new KafkaTestCluster(cluster);
    }

    @Override
    public void close() throws Exception {
        super.close();
        cluster.close();
    }
}
