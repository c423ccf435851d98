package io.camelsendmail.examples.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The outbox topics of KafkaToEmailRoute on a cluster, from the client's side: a producer of outbox records, and what
 * the tests read back (topics, the group's members and lag). {@link KafkaTestCluster} runs the cluster in this JVM;
 * {@link KafkaBrokerProcess} runs it as a broker of its own that a test can kill.
 */
public abstract class KafkaOutbox implements AutoCloseable {

    public static final String OUTBOX = "mail.outbox";
    public static final String DEAD_LETTER = "mail.outbox.dlt";
    public static final String SENT = "mail.outbox.sent";

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    protected KafkaOutbox(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
    }

    /** Creates the outbox topic with this many partitions, its dead-letter and sent topics. */
    protected static void createTopics(Admin admin, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(OUTBOX, partitions, (short) 1), new NewTopic(DEAD_LETTER, 1, (short) 1),
                new NewTopic(SENT, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client of the cluster, to be closed by the caller. */
    public Admin admin() {
        return Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    /** A mail as a record: keyed by its Message-ID, the value the complete message. */
    public void sendMail(String messageId, String subject) {
        String mail = "From: shop@example.com\r\nTo: customer@example.com\r\nSubject: " + subject + "\r\nMessage-ID: "
                      + messageId + "\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\n\r\nYour statement, " + subject + ".\r\n";
        send(messageId, mail.getBytes(StandardCharsets.US_ASCII));
    }

    public void send(String key, byte[] value) {
        producer.send(new ProducerRecord<>(OUTBOX, key, value));
    }

    public void flush() {
        producer.flush();
    }

    /** Every record of a topic, from its beginning to its end as it is now. */
    public List<ConsumerRecord<String, byte[]>> read(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end + " in 30 s");
                }
                consumer.poll(Duration.ofMillis(250)).forEach(records::add);
            }
        }
        return records;
    }

    /** The members of a consumer group, as the coordinator has them (0 before the group exists). */
    public int groupMembers(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** @return the client ids of the group's members that hold partitions now (empty before the group exists) */
    public List<String> assignedMembers(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty())
                    .map(org.apache.kafka.clients.admin.MemberDescription::clientId).toList();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
    }

    /** @return the records of the outbox the group has not committed past yet (all of them before it committed any) */
    public long lag(String group) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            for (org.apache.kafka.common.TopicPartitionInfo info
                    : admin.describeTopics(List.of(OUTBOX)).allTopicNames().get().get(OUTBOX).partitions()) {
                latest.put(new TopicPartition(OUTBOX, info.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long lag = 0;
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                var at = committed.get(end.getKey());
                lag += end.getValue().offset() - (at == null ? 0 : at.offset());
            }
            return lag;
        }
    }

    @Override
    public void close() throws Exception {
        producer.close(Duration.ofSeconds(5));
    }
}
