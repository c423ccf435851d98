package io.camelsendmail.support;

import java.io.File;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Run by LargeStreamTest in a JVM with a small heap: sends a generated raw message of the given size as an
 * InputStream body, twice (the sink refuses the second at its end), and reports each outcome, the heap's maximum, and
 * the temporary files left.
 */
public final class LargeStreamSend {

    private LargeStreamSend() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long bodyBytes = Long.parseLong(args[1]);
        CamelContext context = new DefaultCamelContext();
        // Camel's stream caching would read the stream into memory before the route (its spooling is off by default)
        context.setStreamCaching(false);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").to("sendmail:127.0.0.1:" + port + "?timeout=120000");
            }
        });
        context.start();
        try {
            for (int i = 0; i < 2; i++) {
                Exchange exchange = context.createProducerTemplate().send("direct:send",
                        e -> e.getMessage().setBody(new GeneratedMessage(bodyBytes)));
                Exception e = exchange.getException();
                System.out.println("SEND " + i + " " + (e == null ? "OK" : "FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        } finally {
            context.stop();
        }
        File[] left = new File(System.getProperty("java.io.tmpdir")).listFiles((dir, name) -> name.startsWith("camel-sendmail-"));
        System.out.println("MAX HEAP " + Runtime.getRuntime().maxMemory());
        System.out.println("TEMP FILES " + (left == null ? 0 : left.length));
    }
}
