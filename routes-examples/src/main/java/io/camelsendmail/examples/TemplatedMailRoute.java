package io.camelsendmail.examples;

import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.dataformat.JsonLibrary;

/**
 * Queue to HTML email from a template. Each message on {@code queue.orders-shipped} is a JSON event
 * ({@code orderId}, {@code name}, {@code email}, {@code carrier}, {@code tracking}, {@code items}); it becomes an HTML
 * mail with a plain text alternative and the shop's logo inline, rendered by {@link TemplatedMail} from
 * {@code templates/order-shipped.*}. Failures are handled as in {@link QueueToEmailRoute}: the transient redelivered,
 * the rest (a malformed event, a value the template lacks, a refused recipient) dead-lettered with the error.
 */
public final class TemplatedMailRoute extends RouteBuilder {

    @Override
    public void configure() {
        QueueToEmailRoute.handleFailures(this);

        from("jms:queue:{{queue.orders-shipped}}?acknowledgementModeName=CLIENT_ACKNOWLEDGE")
                .routeId("order-shipped-to-html-email")
                .unmarshal().json(JsonLibrary.Jackson, Map.class)
                .process(e -> {
                    Map<?, ?> order = e.getMessage().getMandatoryBody(Map.class);
                    e.getMessage().setHeader("To", order.get("email"));
                    e.getMessage().setHeader("Subject", "Your order " + order.get("orderId") + " has shipped");
                })
                .process(new TemplatedMail("order-shipped"))
                .to("{{mail.html-endpoint}}")
                .process(e -> log.info("Sent shipping notice: {}", SendResult.of(e)));
    }
}
