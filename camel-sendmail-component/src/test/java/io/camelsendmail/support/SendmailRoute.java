package io.camelsendmail.support;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A started Camel context with one route, {@code direct:send} to the given endpoint URI, and the test trust material
 * bound as {@code #tls}.
 */
public final class SendmailRoute implements AutoCloseable {

    private final CamelContext context;
    private final ProducerTemplate template;

    private SendmailRoute(String uri, Map<String, Object> beans) throws Exception {
        context = new DefaultCamelContext();
        context.getRegistry().bind("tls", TestTls.clientTrust());
        beans.forEach(context.getRegistry()::bind);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").routeId("send").to(uri);
            }
        });
        context.start();
        template = context.createProducerTemplate();
    }

    public static SendmailRoute to(String uri) throws Exception {
        return new SendmailRoute(uri, Map.of());
    }

    /** A route whose registry also holds these beans, for options such as {@code tokenProvider=#name}. */
    public static SendmailRoute to(String uri, Map<String, Object> beans) throws Exception {
        return new SendmailRoute(uri, beans);
    }

    /** Sends one exchange and returns it, with its exception if the send failed. */
    public Exchange send(Object body, Map<String, Object> headers) {
        return template.send("direct:send", exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeaders(new java.util.HashMap<>(headers));
        });
    }

    public Exchange send(Object body) {
        return send(body, Map.of());
    }

    public CamelContext context() {
        return context;
    }

    @Override
    public void close() {
        context.stop();
    }
}
