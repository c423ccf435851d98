package io.camelsendmail.examples;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka route's outcomes without a broker: the topic's records come from a direct endpoint, each with a commit of
 * the test's own, and the dead letter topic is a mock. A commit that fails after the mail went is not a failed delivery;
 * a failed send is dead-lettered with its type, code and transient headers, all of them text.
 */
class KafkaCommitTest {

    private static final String RAW = "From: shop@example.com\r\nTo: bob@example.com\r\nSubject: Order\r\n"
                                      + "Message-ID: <order-7@example.com>\r\n\r\nShipped.\r\n";

    private static CamelContext context(ScriptedSmtpServer server, MemoryIdempotentRepository sent) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        context.getPropertiesComponent().addOverrideProperty("smtp.host", "127.0.0.1");
        context.getPropertiesComponent().addOverrideProperty("smtp.port", String.valueOf(server.port()));
        context.getPropertiesComponent().addOverrideProperty("kafka.instance-name", "instance-1");
        context.getPropertiesComponent().addOverrideProperty("kafka.max-redeliveries", "0");
        context.addRoutes(new KafkaToEmailRoute(sent));
        AdviceWith.adviceWith(context, "kafka-to-email", a -> a.replaceFromWith("direct:records"));
        AdviceWith.adviceWith(context, "kafka-dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dead-letters"));
        context.start();
        return context;
    }

    /** A poll of one record, as camel-kafka's batching consumer hands it over: a list of the records' exchanges. */
    private static Exchange record(CamelContext context, KafkaManualCommit commit) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setBody(RAW.getBytes(StandardCharsets.US_ASCII));
        record.getMessage().setHeader(KafkaConstants.KEY, "<order-7@example.com>");
        record.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        record.getMessage().setHeader(KafkaConstants.OFFSET, 41L);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, commit);
        return context.createProducerTemplate().send("direct:records", e -> e.getMessage().setBody(List.of(record)));
    }

    @Test
    void aCommitThatFailsAfterTheMailWentIsNoFailedDeliveryAndTheRecordIsSkippedWhenItComesBack() throws Exception {
        MemoryIdempotentRepository sent = new MemoryIdempotentRepository();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            CamelContext context = context(server, sent);
            try {
                MockEndpoint deadLetters = context.getEndpoint("mock:dead-letters", MockEndpoint.class);
                deadLetters.expectedMessageCount(0);

                Exchange first = record(context, () -> {
                    throw new org.apache.kafka.common.errors.TimeoutException("Timeout of 5000ms expired before "
                                                                              + "successfully committing offsets");
                });
                assertThat(first.getException()).isNull();
                assertThat(server.messages()).hasSize(1);
                assertThat(sent.contains("<order-7@example.com>")).isTrue();

                // the uncommitted record comes back, after a rebalance or a restart: skipped, committed this time
                boolean[] committed = new boolean[1];
                Exchange again = record(context, () -> committed[0] = true);
                assertThat(again.getException()).isNull();
                assertThat(committed[0]).isTrue();
                assertThat(server.messages()).as("never sent twice").hasSize(1);
                deadLetters.assertIsSatisfied();
            } finally {
                context.stop();
            }
        }
    }

    @Test
    void aFailedSendIsDeadLetteredWithTextHeadersAndCommitted() throws Exception {
        MemoryIdempotentRepository sent = new MemoryIdempotentRepository();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT TO", "550 5.1.1 no such user")) {
            CamelContext context = context(server, sent);
            try {
                MockEndpoint deadLetters = context.getEndpoint("mock:dead-letters", MockEndpoint.class);
                deadLetters.expectedMessageCount(1);
                boolean[] committed = new boolean[1];
                Exchange refused = record(context, () -> committed[0] = true);

                assertThat(refused.getException()).isNull();
                deadLetters.assertIsSatisfied();
                Map<String, Object> headers = deadLetters.getExchanges().get(0).getMessage().getHeaders();
                assertThat(headers).containsEntry("SendmailErrorType", "SmtpDeliveryException")
                        .containsEntry("SendmailErrorCode", "550").containsEntry("SendmailErrorTransient", "false");
                assertThat(headers.get("SendmailError")).asString().contains("no such user");
                assertThat(deadLetters.getExchanges().get(0).getMessage().getBody(String.class)).isEqualTo(RAW);
                assertThat(committed[0]).isTrue();
                assertThat(sent.contains("<order-7@example.com>")).as("not recorded as sent").isFalse();
            } finally {
                context.stop();
            }
        }
    }
}
