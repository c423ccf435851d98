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
 * <li>At least once: the record's offset is committed only after the server accepted the message (250) or the record
 * was dead-lettered. An instance that dies before that leaves the record to the next owner of its partition.</li>
 * <li>No doubles across instances: an idempotent consumer on the key, in a repository every instance shares (a
 * compacted Kafka topic, {@code kafka.idempotent-topic}). The key is written only once the server accepted the
 * message, so a crash before that loses nothing; a crash between the 250 and that write is the one window in which a
 * message can go twice.</li>
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
                    .process(e -> log.info("Sent record {} (partition {}, offset {}): {}",
                            e.getMessage().getHeader(KafkaConstants.KEY), e.getMessage().getHeader(KafkaConstants.PARTITION),
                            e.getMessage().getHeader(KafkaConstants.OFFSET), SendResult.of(e)))
                .end()
                .process(KafkaToEmailRoute::commit);

        from("direct:kafka-dead-letter")
                .routeId("kafka-dead-letter")
                // why, as record headers named as the JMS route's properties, all of them text
                .process(KafkaToEmailRoute::describeFailure)
                // the same key (kafka.KEY) and value, byte for byte; Camel's own headers are not copied into the record
                .to("kafka:{{kafka.dead-letter-topic}}?valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer")
                .process(e -> log.info("Dead-lettered record {} (partition {}, offset {}): {} {}",
                        e.getMessage().getHeader(KafkaConstants.KEY), e.getMessage().getHeader(KafkaConstants.PARTITION),
                        e.getMessage().getHeader(KafkaConstants.OFFSET), e.getMessage().getHeader("SendmailErrorType"),
                        e.getMessage().getHeader("SendmailError")))
                .process(KafkaToEmailRoute::commit);
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
