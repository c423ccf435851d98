package io.camelsendmail.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.MainSupport;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code examples.demo=true}: once the routes run, sends the bundled samples through each of them: two files
 * into the outbox, a message on the queue, one on the YAML route's queue, an order event for the HTML template, and a
 * REST request; with the embedded server, a notice to an address that bounces, and the same notice again once the
 * bounce is read.
 */
final class DemoRun extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
    private static final String[] SAMPLE_FILES = { "welcome.eml", "weekly-report.txt", "weekly-report.txt.headers" };

    private Thread bounceDemo;

    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        bounceDemo = sendSamples(context);
        if (Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{examples.demo}}"))
            && context.hasService(EmbeddedSmtpServer.class) != null && main.configure().getDurationMaxIdleSeconds() > 0) {
            // with the embedded server nothing else will come: stop once every sample is through, not after an idle
            // wait (camel.main.duration-max-idle-seconds=0 keeps the application running, for files of one's own)
            Thread done = new Thread(() -> stopWhenDelivered(main, bounceDemo), "demo-done");
            done.setDaemon(true);
            done.start();
        }
    }

    /**
     * Waits (a minute at most) until the sample files have left the outbox and no exchange has been in flight for half
     * a second, then ends the application. Without the embedded server (a real one configured) the idle timeout ends it.
     */
    private static void stopWhenDelivered(BaseMainSupport main, Thread bounceDemo) {
        CamelContext context = main.getCamelContext();
        try {
            if (bounceDemo != null) {
                bounceDemo.join(Duration.ofMinutes(1).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Path outbox = Path.of(context.resolvePropertyPlaceholders("{{files.outbox}}"));
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long quietSince = 0;
        try {
            while (System.nanoTime() - deadline < 0) {
                boolean filesLeft = Files.exists(outbox.resolve("welcome.eml")) || Files.exists(outbox.resolve("weekly-report.txt"));
                if (filesLeft || context.getInflightRepository().size() > 0) {
                    quietSince = 0;
                } else if (quietSince == 0) {
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > Duration.ofMillis(500).toNanos()) {
                    LOG.info("Demo: every sample went through; stopping");
                    if (main instanceof MainSupport support) {
                        support.completed();
                    }
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends the samples when {@code examples.demo=true}; never throws, a failed step is logged.
     *
     * @return the thread that shows a bounce and the suppressed second send (with the embedded server), or null
     */
    static Thread sendSamples(CamelContext context) {
        if (!Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{examples.demo}}"))) {
            return null;
        }
        try {
            dropSampleFiles(Path.of(context.resolvePropertyPlaceholders("{{files.outbox}}")));
            ProducerTemplate template = context.createProducerTemplate();
            template.sendBodyAndHeaders("jms:queue:" + context.resolvePropertyPlaceholders("{{queue.outbox}}"),
                    "Your parcel left our warehouse today.",
                    Map.of("To", "carol@example.com", "Subject", "Parcel shipped"));
            template.sendBodyAndHeaders("jms:queue:" + context.resolvePropertyPlaceholders("{{queue.notifications}}"),
                    "Disk usage on db-1 is above 90%.", Map.of("To", "oncall@example.com"));
            try (InputStream order = DemoRun.class.getResourceAsStream("/samples/order-shipped.json")) {
                template.sendBody("jms:queue:" + context.resolvePropertyPlaceholders("{{queue.orders-shipped}}"),
                        new String(order.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            postRestRequest(Integer.parseInt(context.resolvePropertyPlaceholders("{{http.port}}")));
        } catch (Exception e) {
            LOG.error("The demo could not send its samples", e);
        }
        if (context.hasService(EmbeddedSmtpServer.class) == null || context.getRoute("bounces") == null) {
            return null;
        }
        Thread bounces = new Thread(() -> showBounce(context), "demo-bounce");
        bounces.setDaemon(true);
        bounces.start();
        return bounces;
    }

    /**
     * A notice to an address that bounces: the embedded server takes it, bounces it to the sender's mailbox, the bounce
     * route reads the report and suppresses the address; the next notice to it is not sent.
     */
    private static void showBounce(CamelContext context) {
        try {
            ProducerTemplate template = context.createProducerTemplate();
            Map<String, Object> to = Map.of("To", EmbeddedSmtpServer.GONE + ", frank@example.com");
            template.sendBodyAndHeaders("direct:customer-notice", "Your subscription renews next week.", to);
            IdempotentRepository suppressions = context.getRegistry().lookupByNameAndType("suppressions",
                    IdempotentRepository.class);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!suppressions.contains(EmbeddedSmtpServer.GONE) && System.nanoTime() - deadline < 0) {
                Thread.sleep(100);
            }
            LOG.info("Demo: the second notice, after the bounce");
            template.sendBodyAndHeaders("direct:customer-notice", "Your subscription renews tomorrow.", to);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("The demo could not show a bounce", e);
        }
    }

    private static void dropSampleFiles(Path outbox) throws IOException {
        Files.createDirectories(outbox);
        // the sidecar first, so that the .txt is never picked up without it
        for (int i = SAMPLE_FILES.length - 1; i >= 0; i--) {
            try (InputStream in = DemoRun.class.getResourceAsStream("/samples/" + SAMPLE_FILES[i])) {
                Path staging = outbox.resolve(".staging-" + SAMPLE_FILES[i]);
                Files.copy(in, staging, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(staging, outbox.resolve(SAMPLE_FILES[i]), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        LOG.info("Demo: dropped welcome.eml and weekly-report.txt into {}", outbox);
    }

    private static void postRestRequest(int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String json : new String[] {
                "{\"to\": [\"dave@example.com\", \"erin@example.com\"], \"subject\": \"Build 42 passed\", "
                + "\"text\": \"All 1,204 tests passed.\"}",
                "{\"subject\": \"no recipient\", \"text\": \"this one is refused\"}" }) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mail"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            LOG.info("Demo: POST /mail answered {} {}", response.statusCode(), response.body());
        }
    }
}
