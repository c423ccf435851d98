package io.camelsendmail.examples;

import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to email, for any number of instances in one consumer group. Each record on {@code kafka.topic} is a complete
 * RFC 5322 message, keyed by its Message-ID (so one message's records share a partition, in order).
 * <ul>
 * <li>At least once, {@code kafka.in-flight} records at a time: each poll's records (at most that many) are sent
 * together, then each partition's offset is committed past them, once every one was accepted by the server (250) or
 * dead-lettered. An instance that dies before that leaves them to the next owner of its partition.</li>
 * <li>No doubles across instances: an idempotent consumer on the key, in a repository every instance shares (a
 * compacted Kafka topic, {@code kafka.idempotent-topic}). The key is written only once the server accepted the
 * message, so a crash before that loses nothing; a crash between the 250 and that write is the one window in which a
 * message can go twice: at most {@code kafka.in-flight} of them.</li>
 * <li>A commit that fails after the mail went (the broker away) is logged, not taken for a failed delivery: the record
 * comes back, and the repository skips it. Only a failed send reaches the dead letters.</li>
 * <li>A transient failure (4xx, a lost connection) is retried in place, with exponential back-off, which holds the
 * partition and so keeps the order of its keys; anything else, or a transient one that outlasts the retries, goes to
 * {@code kafka.dead-letter-topic} with the error in the record's headers, and the partition moves on.</li>
 * </ul>
 */
public final class KafkaToEmailRoute extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaToEmailRoute.class);

    private final IdempotentRepository sent;
    private final GroupRate groupRate;

    /** @param sent the repository of the Message-IDs the server accepted, shared by every instance */
    public KafkaToEmailRoute(IdempotentRepository sent) {
        this(sent, null);
    }

    /** @param groupRate this instance's share of the group's rate, or null for none */
    KafkaToEmailRoute(IdempotentRepository sent, GroupRate groupRate) {
        this.sent = sent;
        this.groupRate = groupRate;
    }

    @Override
    public void configure() {
        if (getCamelContext().getRegistry().lookupByName("sendmailKafkaClients") == null) {
            getCamelContext().getRegistry().bind("sendmailKafkaClients", new AssignedPartitions());
        }
        errorHandler(deadLetterChannel("direct:kafka-dead-letter").useOriginalMessage());

        onException(SendmailException.class)
                .onWhen(exchange -> exchange.getException(SendmailException.class).isTransient())
                .maximumRedeliveries("{{kafka.max-redeliveries}}")
                .redeliveryDelay("{{kafka.redelivery-delay}}")
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);

        // a batch of up to kafka.in-flight records at a time, all of them in flight together; once every one is settled
        // (sent and recorded, or dead-lettered), each partition's offset is committed past the batch
        from("kafka:{{kafka.topic}}?groupId={{kafka.group-id}}&autoOffsetReset=earliest&autoCommitEnable=false"
             + "&allowManualCommit=true&batching=true&breakOnFirstError=true&consumersCount={{kafka.consumers}}"
             + "&maxPollRecords={{kafka.in-flight}}"
             + "&sessionTimeoutMs={{kafka.session-timeout-ms}}&heartbeatIntervalMs={{kafka.heartbeat-interval-ms}}"
             + "&clientId={{kafka.client-id}}&kafkaClientFactory=#sendmailKafkaClients&pollTimeoutMs=100"
             + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .routeId("kafka-to-email")
                // a batch is never dead-lettered whole: each record is, on its own, in kafka-record; a batch that fails
                // otherwise is polled again (breakOnFirstError), and the repository skips what was sent
                .errorHandler(noErrorHandler())
                .process(new Batch(getCamelContext().resolvePropertyPlaceholders("{{kafka.in-flight}}")));

        from("direct:kafka-record")
                .routeId("kafka-record")
                .process(KafkaToEmailRoute::requireKey)
                // skipped when the Message-ID was sent already; recorded once the server accepted the mail, at the end
                // of this block, so before the offset is committed
                .idempotentConsumer(header(KafkaConstants.KEY), sent).eager(false).completionEager(true)
                    .to("{{kafka.mail-endpoint}}")
                    .process(e -> log.info("Sent record {} (partition {}, offset {}): {}",
                            e.getMessage().getHeader(KafkaConstants.KEY), e.getMessage().getHeader(KafkaConstants.PARTITION),
                            e.getMessage().getHeader(KafkaConstants.OFFSET), SendResult.of(e)))
                .end();

        from("direct:kafka-dead-letter")
                .routeId("kafka-dead-letter")
                // why, as record headers named as the JMS route's properties, all of them text
                .process(KafkaToEmailRoute::describeFailure)
                // the same key (kafka.KEY) and value, byte for byte; Camel's own headers are not copied into the record
                .to("kafka:{{kafka.dead-letter-topic}}?valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer")
                .process(e -> log.info("Dead-lettered record {} (partition {}, offset {}): {} {}",
                        e.getMessage().getHeader(KafkaConstants.KEY), e.getMessage().getHeader(KafkaConstants.PARTITION),
                        e.getMessage().getHeader(KafkaConstants.OFFSET), e.getMessage().getHeader("SendmailErrorType"),
                        e.getMessage().getHeader("SendmailError")));
    }

    /**
     * One poll's records, each sent as its own exchange on a pool of {@code kafka.in-flight} threads, so that they are
     * in flight together on the endpoint's connection; then, on the consumer's thread (the only one a Kafka consumer
     * may be used from), each partition's last record is committed: every record below it is settled.
     */
    private final class Batch implements org.apache.camel.Processor, org.apache.camel.Service {
        private final int inFlight;
        /** The partitions this instance held at the last batch. */
        private java.util.Set<org.apache.kafka.common.TopicPartition> assigned = java.util.Set.of();
        private java.util.concurrent.ExecutorService pool;
        private org.apache.camel.ProducerTemplate records;

        Batch(String inFlight) {
            this.inFlight = Integer.parseInt(inFlight.trim());
            if (this.inFlight < 1) {
                throw new IllegalArgumentException("kafka.in-flight must be at least 1, got " + inFlight);
            }
        }

        @Override
        public void start() {
            pool = getCamelContext().getExecutorServiceManager().newFixedThreadPool(this, "kafka-records", inFlight);
            records = getCamelContext().createProducerTemplate();
        }

        @Override
        public void stop() {
            if (pool != null) {
                getCamelContext().getExecutorServiceManager().shutdownGraceful(pool);
            }
            if (records != null) {
                org.apache.camel.support.service.ServiceHelper.stopService(records);
            }
        }

        @Override
        public void process(Exchange batch) throws Exception {
            java.util.List<?> polled = batch.getMessage().getBody(java.util.List.class);
            if (polled == null || polled.isEmpty()) {
                return;
            }
            java.util.List<java.util.concurrent.Future<Exchange>> sends = new java.util.ArrayList<>();
            java.util.Map<Object, Exchange> lastOfPartition = new java.util.LinkedHashMap<>();
            java.util.Set<Object> keys = new java.util.HashSet<>();
            java.util.Set<String> positions = new java.util.HashSet<>();
            // sent together once the batch is looked through (with a group rate, each as its turn comes)
            java.util.List<Exchange> together = new java.util.ArrayList<>();
            java.util.Set<org.apache.kafka.common.TopicPartition> assigned = AssignedPartitions.ofThisThread();
            if (assigned != null && sent instanceof SentMessageIds ids && !this.assigned.containsAll(assigned)) {
                // partitions new to this instance: what their last owner recorded is read before any of their records
                ids.catchUp();
            }
            if (assigned != null) {
                this.assigned = java.util.Set.copyOf(assigned);
            }
            for (Object item : polled) {
                Exchange record = (Exchange) item;
                Object key = record.getMessage().getHeader(KafkaConstants.KEY);
                Object partition = record.getMessage().getHeader(KafkaConstants.PARTITION);
                if (assigned != null && !assigned.contains(new org.apache.kafka.common.TopicPartition(
                        record.getMessage().getHeader(KafkaConstants.TOPIC, String.class), (Integer) partition))) {
                    // polled before a rebalance moved its partition: the new owner sends it, from its last commit
                    log.info("Left record {} (partition {}, offset {}) to the partition's new owner", key, partition,
                            record.getMessage().getHeader(KafkaConstants.OFFSET));
                    continue;
                }
                // a record polled twice (fetched again after a rebalance while the batch filled), or a key that came
                // twice: sent once; in parallel both copies would pass the repository before either is recorded
                boolean again = !positions.add(partition + "@" + record.getMessage().getHeader(KafkaConstants.OFFSET))
                                || key != null && !keys.add(key);
                if (!again) {
                    if (groupRate != null) {
                        // this instance's share of the group's rate: its mails begin evenly spaced
                        groupRate.await();
                    }
                    if (groupRate != null) {
                        sends.add(pool.submit(() -> records.send("direct:kafka-record", record)));
                    } else {
                        together.add(record);
                    }
                }
                Exchange last = lastOfPartition.get(partition);
                if (last == null || offset(record) > offset(last)) {
                    lastOfPartition.put(partition, record);
                }
            }
            // the records start together, so that their mails reach the connection together: it writes them in one
            // go (sendmail: waits briefly for messages being prepared), one round trip for the batch
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            try {
                for (Exchange record : together) {
                    sends.add(pool.submit(() -> {
                        go.await();
                        return records.send("direct:kafka-record", record);
                    }));
                }
            } finally {
                go.countDown();
            }
            Exception unsettled = null;
            for (java.util.concurrent.Future<Exchange> send : sends) {
                // settled: sent, or dead-lettered by kafka-record's error handler
                Exchange done = send.get();
                if (done.getException() != null && unsettled == null) {
                    unsettled = done.getException();
                }
            }
            if (unsettled != null) {
                // not even the dead letter topic took it: nothing of the batch is committed, it comes back
                throw unsettled;
            }
            lastOfPartition.values().forEach(KafkaToEmailRoute::commit);
        }
    }

    private static long offset(Exchange record) {
        Long offset = record.getMessage().getHeader(KafkaConstants.OFFSET, Long.class);
        return offset == null ? -1 : offset;
    }

    /**
     * Why a record was dead-lettered, as text headers (a record header is bytes: text is what a consumer in any language
     * reads back): {@code SendmailError}, {@code SendmailErrorType}, {@code SendmailErrorCode} (-1 where no server
     * replied) and {@code SendmailErrorTransient}, for any failure.
     */
    static void describeFailure(Exchange exchange) {
        QueueToEmailRoute.describeFailure(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        org.apache.camel.Message message = exchange.getMessage();
        message.setHeader("SendmailErrorType", cause == null ? "unknown" : cause.getClass().getSimpleName());
        message.setHeader("SendmailErrorCode", String.valueOf(message.getHeader("SendmailErrorCode", -1, Integer.class)));
        message.setHeader("SendmailErrorTransient",
                String.valueOf(message.getHeader("SendmailErrorTransient", false, Boolean.class)));
    }

    /** The key is the Message-ID the repository records: a record without one cannot be de-duplicated. */
    private static void requireKey(Exchange exchange) throws InvalidMessageException {
        Object key = exchange.getMessage().getHeader(KafkaConstants.KEY);
        if (key == null || key.toString().isBlank()) {
            throw new InvalidMessageException("the record has no key: key each record by its message's Message-ID", null, -1,
                    false, null, null);
        }
    }

    /**
     * The record is done: its offset (and those before it in its partition) is committed, synchronously. A commit that
     * fails (the broker away, a rebalance) is not a failed delivery: the mail went, or went to the dead letters. The
     * record comes back to this or another instance, and the repository skips it.
     */
    static void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            return;
        }
        try {
            commit.commit();
        } catch (RuntimeException e) {
            LOG.warn("Could not commit the offset of record {} (partition {}, offset {}): {}; it is done, and will be "
                     + "skipped when it comes back", exchange.getMessage().getHeader(KafkaConstants.KEY),
                    exchange.getMessage().getHeader(KafkaConstants.PARTITION),
                    exchange.getMessage().getHeader(KafkaConstants.OFFSET), e.getMessage());
        }
    }
}
