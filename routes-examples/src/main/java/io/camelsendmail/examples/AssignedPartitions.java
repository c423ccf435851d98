package io.camelsendmail.examples;

import java.util.Properties;
import java.util.Set;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * camel-kafka's client factory, keeping each consumer for the thread that polls it: the route asks it, on that thread,
 * which partitions the consumer holds now. A poll's records can outlive a rebalance (camel-kafka fills a batch over
 * several polls): a record of a partition that moved to another instance is that instance's to send.
 */
public final class AssignedPartitions extends DefaultKafkaClientFactory {

    private static final ThreadLocal<Consumer<?, ?>> CONSUMER = new ThreadLocal<>();

    @Override
    @SuppressWarnings("rawtypes")
    public Consumer getConsumer(Properties kafkaProps) {
        Consumer consumer = super.getConsumer(kafkaProps);
        CONSUMER.set(consumer);
        return consumer;
    }

    /** @return the partitions of the consumer this thread polls, or null where this thread polls none */
    static Set<TopicPartition> ofThisThread() {
        Consumer<?, ?> consumer = CONSUMER.get();
        return consumer == null ? null : consumer.assignment();
    }
}
