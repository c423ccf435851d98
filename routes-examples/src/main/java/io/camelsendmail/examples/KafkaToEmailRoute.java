package io.camelsendmail.examples;

import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.spi.IdempotentRepository;

/**
 * Kafka to email, for any number of instances in one consumer group. Each record on {@code kafka.topic} is a complete
 * RFC 5322 message, keyed by its Message-ID (so one message's records share a partition, in order).
 * <ul>
 * <li>At least once: the record's offset is committed only after the server accepted the message (250) or the record
 * was dead-lettered. An instance that dies before that leaves the record to the next owner of its partition.</li>
 * <li>No doubles across instances: an idempotent consumer on the key, in a repository every instance shares (a
 * compacted Kafka topic, {@code kafka.idempotent-topic}). The key is written only once the server accepted the
 * message, so a crash before that loses nothing; a crash between the 250 and that write is the one window in which a
 * message can go twice.</li>
 * <li>A transient failure (4xx, a lost connection) is retried in place, with exponential back-off, which holds the
 * partition and so keeps the order of its keys; anything else, or a transient one that outlasts the retries, goes to
 * {@code kafka.dead-letter-topic} with the error in the record's headers, and the partition moves on.</li>
 * </ul>
 */
public final class KafkaToEmailRoute extends RouteBuilder {

    private final IdempotentRepository sent;

    /** @param sent the repository of the Message-IDs the server accepted, shared by every instance */
    public KafkaToEmailRoute(IdempotentRepository sent) {
        this.sent = sent;
    }

    @Override
    public void configure() {
        errorHandler(deadLetterChannel("direct:kafka-dead-letter").useOriginalMessage());

        onException(SendmailException.class)
                .onWhen(exchange -> exchange.getException(SendmailException.class).isTransient())
                .maximumRedeliveries("{{kafka.max-redeliveries}}")
                .redeliveryDelay("{{kafka.redelivery-delay}}")
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);

        from("kafka:{{kafka.topic}}?groupId={{kafka.group-id}}&autoOffsetReset=earliest&autoCommitEnable=false"
             + "&allowManualCommit=true&consumersCount={{kafka.consumers}}&maxPollRecords={{kafka.max-poll-records}}"
             + "&sessionTimeoutMs={{kafka.session-timeout-ms}}&heartbeatIntervalMs={{kafka.heartbeat-interval-ms}}"
             + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .routeId("kafka-to-email")
                .process(KafkaToEmailRoute::requireKey)
                // skipped when the Message-ID was sent already; recorded once the server accepted the mail, at the end
                // of this block, so before the offset is committed
                .idempotentConsumer(header(KafkaConstants.KEY), sent).eager(false).completionEager(true)
                    .to("{{kafka.mail-endpoint}}")
                    .process(e -> log.debug("Sent record {}: {}", e.getMessage().getHeader(KafkaConstants.KEY),
                            SendResult.of(e)))
                .end()
                .process(KafkaToEmailRoute::commit);

        from("direct:kafka-dead-letter")
                .routeId("kafka-dead-letter")
                // why, as record headers named as the JMS route's properties
                .process(QueueToEmailRoute::describeFailure)
                // the same key (kafka.KEY) and value, byte for byte; Camel's own headers are not copied into the record
                .to("kafka:{{kafka.dead-letter-topic}}?valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer")
                .process(KafkaToEmailRoute::commit);
    }

    /** The key is the Message-ID the repository records: a record without one cannot be de-duplicated. */
    private static void requireKey(Exchange exchange) throws InvalidMessageException {
        Object key = exchange.getMessage().getHeader(KafkaConstants.KEY);
        if (key == null || key.toString().isBlank()) {
            throw new InvalidMessageException("the record has no key: key each record by its message's Message-ID", null, -1,
                    false, null, null);
        }
    }

    /** The record is done: its offset (and those before it in its partition) is committed, synchronously. */
    private static void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
