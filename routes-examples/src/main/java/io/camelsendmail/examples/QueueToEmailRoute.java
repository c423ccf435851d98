package io.camelsendmail.examples;

import io.camelsendmail.SendmailException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Queue to email. Each message on {@code queue.outbox} is a mail: a text body with JMS properties {@code To},
 * {@code Cc}, {@code Subject} (or the defaults), or a complete RFC 5322 message as bytes. A transient SMTP failure (4xx,
 * connection lost) is redelivered with exponential back-off; a permanent one (5xx, bad input) goes to
 * {@code queue.dead-letter} at once, the original message with the error in its properties. The message is
 * acknowledged only when it has been sent or dead-lettered, so a crash loses nothing.
 */
public final class QueueToEmailRoute extends RouteBuilder {

    @Override
    public void configure() {
        handleFailures(this);

        from("jms:queue:{{queue.outbox}}?acknowledgementModeName=CLIENT_ACKNOWLEDGE")
                .routeId("queue-to-email")
                .process(e -> e.getMessage().setHeader("To", e.getMessage().getHeader("To",
                        () -> e.getContext().resolvePropertyPlaceholders("{{mail.default-to}}"))))
                .to("{{mail.endpoint}}")
                .process(e -> log.info("Sent queued message: {}", SendResult.of(e)));
    }

    /**
     * The failure handling of the queue routes: a transient SMTP failure redelivered with exponential back-off, anything
     * else to {@code queue.dead-letter} at once, the original message with the error in its properties.
     */
    static void handleFailures(RouteBuilder routes) {
        routes.errorHandler(routes.deadLetterChannel("jms:queue:{{queue.dead-letter}}")
                .useOriginalMessage()
                .onPrepareFailure(QueueToEmailRoute::describeFailure));

        routes.onException(SendmailException.class)
                .onWhen(exchange -> exchange.getException(SendmailException.class) != null
                                    && exchange.getException(SendmailException.class).isTransient())
                .maximumRedeliveries("{{queue.max-redeliveries}}")
                .redeliveryDelay("{{queue.redelivery-delay}}")
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);
    }

    /** The dead-lettered message carries why, as JMS properties (or Kafka record headers). */
    static void describeFailure(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setHeader("SendmailError", cause == null ? "unknown" : cause.getMessage());
        if (cause instanceof SendmailException e) {
            exchange.getMessage().setHeader("SendmailErrorCode", e.getCode());
            exchange.getMessage().setHeader("SendmailErrorTransient", e.isTransient());
            exchange.getMessage().setHeader("SendmailErrorType", e.getClass().getSimpleName());
        }
    }
}
