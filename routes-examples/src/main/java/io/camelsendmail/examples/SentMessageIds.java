package io.camelsendmail.examples;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Message-IDs every instance sent, shared through a Kafka topic ({@code kafka.idempotent-topic}, best compacted):
 * an instance writes each one (acks=all) once the server accepted its mail, and reads every instance's from the topic,
 * from its beginning at start, then as they come.
 * <p>
 * camel-kafka's {@code KafkaIdempotentRepository} does the same, but keeps the Message-IDs themselves, 1,000 by default
 * and about 200 bytes each: a record re-driven from the dead letters, or left uncommitted by an instance that died,
 * is sent again once a thousand others went. This one keeps a 128-bit digest of each (MD5: an accidental match of two
 * Message-IDs is as likely as none at all), about 21 bytes each and 43 while its table grows, and remembers the
 * {@code capacity} most recent at least half of them, all of them up to that many: 5,200,000 by default, a day at 60
 * mails a second, about 110 MB when full. Older ones are forgotten a half at a time.
 */
public final class SentMessageIds extends ServiceSupport implements IdempotentRepository, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(SentMessageIds.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final int capacity;
    private CamelContext camelContext;
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;
    private Thread poller;
    private volatile boolean running;
    /** When an instance last asked to be caught up with the topic, and up to which asking it is. */
    private final Object caughtUp = new Object();
    private long catchUpAsked;
    private long caughtUpAt = Long.MIN_VALUE / 2;
    /** The digests remembered: the current generation, and the one before it. */
    private DigestSet current = new DigestSet();
    private DigestSet previous = new DigestSet();

    /**
     * @param topic    the shared topic
     * @param capacity the most recent Message-IDs remembered (at least half of them at any time)
     */
    public SentMessageIds(String topic, int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("kafka.idempotent-capacity must be at least 2, got " + capacity);
        }
        this.topic = topic;
        this.capacity = capacity;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    protected void doStart() throws Exception {
        // the kafka component's own settings (brokers, SASL, TLS), as the application's properties left them
        KafkaComponent kafka = camelContext.getComponent("kafka", KafkaComponent.class);
        Properties producerProperties = kafka.getConfiguration().createProducerProperties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getConfiguration().getBrokers());
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        // a route thread waits for each write, and a batch's commit for the last of them: the kafka component's 5 ms
        // linger held every write back that long (7.4 ms a write in the Kafka scaling benchmark, 2 ms without it). The
        // writes that come while one is on its way still go in one request behind it
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producerProperties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProperties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(producerProperties);
        Properties consumerProperties = kafka.getConfiguration().createConsumerProperties();
        consumerProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getConfiguration().getBrokers());
        consumerProperties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProperties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(consumerProperties);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("the topic " + topic + " (kafka.idempotent-topic) does not exist: create it, "
                                            + "compacted, before the first start");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // every instance's Message-IDs so far, before the first record is taken
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long read = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("could not read " + topic + " to its end " + end + " in 2 minutes");
            }
            for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                apply(r);
                read++;
            }
        }
        LOG.info("Read {} sent Message-IDs from {}: {} remembered", read, topic, size());
        running = true;
        poller = new Thread(this::poll, "sent-message-ids");
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * Waits until every Message-ID written to the topic before now is remembered here (at most 10 s): before the
     * records of a partition that was another instance's are taken, so that what it sent last is known.
     */
    void catchUp() throws InterruptedException {
        long asked = System.nanoTime();
        long deadline = asked + Duration.ofSeconds(10).toNanos();
        synchronized (caughtUp) {
            catchUpAsked = asked;
            while (caughtUpAt - asked < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    LOG.warn("{} was not read to its end within 10 s: a mail its last owner sent may go again", topic);
                    return;
                }
                caughtUp.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The other instances' Message-IDs, as they write them. */
    private void poll() {
        try {
            while (running) {
                long asked;
                synchronized (caughtUp) {
                    asked = catchUpAsked;
                }
                Map<TopicPartition, Long> end = asked != 0 ? consumer.endOffsets(consumer.assignment()) : null;
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    apply(r);
                }
                if (end != null) {
                    // read on until the end as it was when asked: then every write acknowledged before is here
                    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                        for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                            apply(r);
                        }
                    }
                    synchronized (caughtUp) {
                        caughtUpAt = asked;
                        if (catchUpAsked == asked) {
                            catchUpAsked = 0;
                        }
                        caughtUp.notifyAll();
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException stopping) {
            // the repository stops
        } catch (RuntimeException e) {
            LOG.warn("Reading {} failed: {}; Message-IDs the other instances send are no longer seen here", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if ("remove".equals(record.value())) {
            forget(record.key());
        } else if (record.value() != null) {
            remember(record.key());
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (poller != null) {
            poller.join(10_000);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Records a Message-ID whose mail the server accepted: in the topic first (every in-sync replica), then here. */
    @Override
    public boolean add(String key) {
        if (contains(key)) {
            return false;
        }
        try {
            producer.send(new ProducerRecord<>(topic, key, "add")).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording " + key + " in " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not record " + key + " in " + topic + ": " + e.getCause(), e.getCause());
        }
        remember(key);
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        long[] d = digest(key);
        return current.contains(d[0], d[1]) || previous.contains(d[0], d[1]);
    }

    @Override
    public boolean remove(String key) {
        boolean was = contains(key);
        producer.send(new ProducerRecord<>(topic, key, "remove"));
        forget(key);
        return was;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        current = new DigestSet();
        previous = new DigestSet();
    }

    /** @return how many Message-IDs are remembered now */
    public synchronized int size() {
        return current.size() + previous.size();
    }

    /** Remembers a Message-ID here only (the topic's records, and the tests). */
    synchronized void remember(String key) {
        long[] d = digest(key);
        if (previous.contains(d[0], d[1]) || !current.add(d[0], d[1])) {
            return;
        }
        if (current.size() >= capacity / 2) {
            // the older half is forgotten: at least capacity / 2 and at most capacity are remembered
            previous = current;
            current = new DigestSet();
        }
    }

    private synchronized void forget(String key) {
        long[] d = digest(key);
        current.remove(d[0], d[1]);
        previous.remove(d[0], d[1]);
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    static long[] digest(String key) {
        byte[] d = MD5.get().digest(key.getBytes(StandardCharsets.UTF_8));
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (d[i] & 0xff);
            lo = lo << 8 | (d[i + 8] & 0xff);
        }
        // (0, 0) marks an empty slot and (0, -1) a removed one
        return new long[] { hi, hi == 0 && (lo == 0 || lo == -1) ? 1 : lo };
    }

    /** An open-addressing set of 128-bit digests in two arrays: 16 bytes a slot, three quarters of them full at most. */
    static final class DigestSet {
        private long[] his = new long[16];
        private long[] los = new long[16];
        private int size;
        private int tombstones;

        int size() {
            return size;
        }

        boolean contains(long hi, long lo) {
            return slot(hi, lo) >= 0;
        }

        /** @return false when it was there already */
        boolean add(long hi, long lo) {
            if (contains(hi, lo)) {
                return false;
            }
            if ((size + tombstones + 1) * 4L > his.length * 3L) {
                rehash(size * 4 > his.length ? his.length * 2 : his.length);
            }
            int mask = his.length - 1;
            for (int i = (int) (lo ^ hi >>> 32) & mask; ; i = (i + 1) & mask) {
                if (his[i] == 0 && los[i] == 0 || his[i] == 0 && los[i] == -1) {
                    if (his[i] == 0 && los[i] == -1) {
                        tombstones--;
                    }
                    his[i] = hi;
                    los[i] = lo;
                    size++;
                    return true;
                }
            }
        }

        void remove(long hi, long lo) {
            int i = slot(hi, lo);
            if (i >= 0) {
                // a tombstone keeps the probe chains of the others intact
                his[i] = 0;
                los[i] = -1;
                size--;
                tombstones++;
            }
        }

        private int slot(long hi, long lo) {
            int mask = his.length - 1;
            for (int i = (int) (lo ^ hi >>> 32) & mask; ; i = (i + 1) & mask) {
                if (his[i] == 0 && los[i] == 0) {
                    return -1;
                }
                if (his[i] == hi && los[i] == lo) {
                    return i;
                }
            }
        }

        private void rehash(int length) {
            long[] oldHis = his;
            long[] oldLos = los;
            his = new long[length];
            los = new long[length];
            size = 0;
            tombstones = 0;
            for (int i = 0; i < oldHis.length; i++) {
                boolean empty = oldHis[i] == 0 && (oldLos[i] == 0 || oldLos[i] == -1);
                if (!empty) {
                    add(oldHis[i], oldLos[i]);
                }
            }
        }
    }
}
