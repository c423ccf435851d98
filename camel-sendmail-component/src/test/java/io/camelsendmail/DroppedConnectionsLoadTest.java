package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight route threads and a server that drops one connection in fifty, mid-transaction: every message is delivered
 * exactly once, through the pool's own retry of a dropped idle connection or Camel's redelivery of a transient
 * failure; none is lost, none doubled, and the heap does not grow with the number of messages.
 */
class DroppedConnectionsLoadTest {

    private static final int MESSAGES = 4000;
    private static final Pattern BODY = Pattern.compile("\r\n\r\n(message \\d+)\r\n$");

    @Test
    void everyMessageArrivesExactlyOnceAndMemoryStaysFlat() throws Exception {
        AtomicInteger commands = new AtomicInteger();
        AtomicInteger drops = new AtomicInteger();
        List<Exchange> dead = new CopyOnWriteArrayList<>();
        // one transaction is three commands here (MAIL, RCPT, DATA): closing at every 150th drops one in fifty
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().dynamic((connection, command) -> {
            boolean transaction = command.startsWith("MAIL") || command.startsWith("RCPT") || command.equals("DATA");
            if (transaction && commands.incrementAndGet() % 150 == 0) {
                drops.incrementAndGet();
                return ScriptedSmtpServer.CLOSE;
            }
            return null;
        })) {
            CamelContext context = new DefaultCamelContext();
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    errorHandler(deadLetterChannel("direct:dead"));
                    onException(SendmailException.class)
                            .onWhen(e -> e.getException(SendmailException.class).isTransient())
                            .maximumRedeliveries(10).redeliveryDelay(5);
                    from("direct:send").routeId("send")
                            .to("sendmail:127.0.0.1:" + server.port() + "?from=alice@example.com&to=bob@example.com");
                    from("direct:dead").process(dead::add);
                }
            });
            context.start();
            try {
                ProducerTemplate template = context.createProducerTemplate();
                send(template, 0, MESSAGES / 4);
                long baseline = usedHeapAfterGc();
                send(template, MESSAGES / 4, MESSAGES);
                long after = usedHeapAfterGc();

                assertThat(dead).isEmpty();
                Map<String, Long> received = server.messages().stream().map(DroppedConnectionsLoadTest::body)
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                assertThat(received).hasSize(MESSAGES);
                assertThat(received.values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
                assertThat(drops.get()).isGreaterThanOrEqualTo(MESSAGES / 50 - 5);
                // three quarters of the messages later, the heap holds no more than it did
                assertThat(after - baseline).as("heap growth in bytes").isLessThan(16L << 20);
            } finally {
                context.stop();
            }
        }
    }

    private static void send(ProducerTemplate template, int from, int to) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Exchange>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                String body = "message " + i;
                sent.add(threads.submit(() -> template.send("direct:send", e -> e.getMessage().setBody(body))));
            }
            for (Future<Exchange> f : sent) {
                assertThat(f.get(60, TimeUnit.SECONDS).getException()).isNull();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String body(String data) {
        Matcher m = BODY.matcher(data);
        assertThat(m.find()).as("a message body in %s", data).isTrue();
        return m.group(1);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
