package io.camelsendmail.examples;

import io.camelsendmail.SendmailException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;

/**
 * Bounces back into the routes. The sender's bounce mailbox ({@code bounces.mailbox-uri}, read with camel-mail's IMAP
 * consumer) is read as delivery reports; each permanent failure goes on the suppression list {@code suppressions},
 * delays and deliveries are logged. The customer-notice route ({@code direct:customer-notice}) sends with that list:
 * a recipient on it gets {@code 550 suppressed: ...} and nothing is sent to it.
 * <p>
 * The list here is in memory, for the demo; a file, JDBC, Kafka or Redis {@code IdempotentRepository} keeps it across
 * restarts and instances.
 */
public final class BounceRoute extends RouteBuilder {

    @Override
    public void configure() {
        IdempotentRepository suppressions = getCamelContext().getRegistry().lookupByNameAndType("suppressions",
                IdempotentRepository.class);
        if (suppressions == null) {
            suppressions = new MemoryIdempotentRepository();
            getCamelContext().getRegistry().bind("suppressions", suppressions);
        }

        onException(SendmailException.class).handled(true)
                .log("Customer notice not sent: ${exception.message}");

        String mailbox = getCamelContext().resolvePropertyPlaceholders("{{bounces.mailbox-uri}}");
        if (!mailbox.isBlank()) {
            // the message as received (mapMailMessage=false), marked seen once read
            from(mailbox + (mailbox.contains("?") ? "&" : "?") + "mapMailMessage=false&delay={{bounces.poll-delay}}")
                    .routeId("bounces")
                    .unmarshal().custom("deliveryReport")
                    .split(body())
                        .choice()
                            .when(simple("${body.permanent()}"))
                                .log("Bounce: ${body.recipient()} ${body.action()} ${body.status()} (${body.diagnosticCode()}),"
                                     + " about ${body.originalMessageId()}")
                                // added to the list; a second bounce for the same address goes no further
                                .idempotentConsumer(simple("${body.recipient().toLowerCase()}"), suppressions)
                                    .log("Suppressed from now on: ${body.recipient()}")
                                .end()
                            .endChoice()
                            .otherwise()
                                .log("Report: ${body.recipient()} ${body.action()} ${body.status()} about ${body.originalMessageId()}");
        }

        from("direct:customer-notice")
                .routeId("customer-notice")
                .setHeader("Subject", constant("Your subscription"))
                .to("{{mail.endpoint}}?suppressionRepository=#suppressions")
                .process(e -> log.info("Sent customer notice: {}", SendResult.of(e)));
    }
}
