package io.camelsendmail.benchmarks;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.camelsendmail.support.TestTls;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Messages per second through {@code sendmail:} and through Camel's own {@code smtp:}/{@code smtps:} endpoints, on the
 * same route ({@code direct:} to the endpoint), with the same message (1 KB of text, one recipient), to the same
 * server in its own process:
 * <ul>
 * <li>plain SMTP: Postfix's {@code smtp-sink};</li>
 * <li>implicit TLS: stunnel in front of that {@code smtp-sink};</li>
 * <li>STARTTLS with AUTH: SubEthaSMTP in a separate JVM ({@link StartTlsAuthSink}).</li>
 * </ul>
 * Each case runs with 1 and 4 route threads; the two endpoints run one after the other in the same JVM, so their ratio
 * is what to read on a shared machine. Every message counted as sent is checked against the server's own count.
 *
 * <p>System properties: {@code bench.warmup} and {@code bench.seconds} (default 2 and 5) per measurement.
 */
public final class ThroughputBenchmark {

    private static final String FROM = "bench@example.com";
    private static final String TO = "sink@example.com";
    private static final String BODY = oneKilobyteOfText();

    private final long warmupMillis = Long.getLong("bench.warmup", 2) * 1000;
    private final long measureMillis = Long.getLong("bench.seconds", 5) * 1000;
    private final String only = System.getProperty("bench.only", "");
    private final List<String> rows = new ArrayList<>();
    private final List<String> linkRows = new ArrayList<>();
    private final List<String> windowRows = new ArrayList<>();
    private final List<String> burstRows = new ArrayList<>();
    /** Half the round trip of the link to a server in another region. */
    private static final long ONE_WAY_DELAY_MILLIS = 20;

    private ThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        new ThroughputBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        String smtpSink = requireProgram("/usr/sbin/smtp-sink", "postfix");
        String stunnel = requireProgram(Files.isExecutable(Path.of("/usr/bin/stunnel4")) ? "/usr/bin/stunnel4" : "/usr/bin/stunnel",
                "stunnel4");
        Path work = Files.createTempDirectory("sendmail-bench");
        Path trustStore = work.resolve("truststore.p12");
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/truststore.p12")) {
            Files.copy(in, trustStore);
        }
        // both endpoints trust the benchmark servers' certificate through the JVM's default trust store
        System.setProperty("javax.net.ssl.trustStore", trustStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", TestTls.PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");

        int sinkPort = SinkProcess.freePort();
        List<String> sinkCommand = new ArrayList<>(List.of(smtpSink, "-c"));
        if ("root".equals(System.getProperty("user.name"))) {
            sinkCommand.addAll(List.of("-u", "nobody"));
        }
        sinkCommand.addAll(List.of("127.0.0.1:" + sinkPort, "256"));
        int tlsPort = SinkProcess.freePort();
        Path stunnelConf = stunnelConfig(work, tlsPort, sinkPort);
        int startTlsPort = SinkProcess.freePort();
        List<String> subEtha = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                StartTlsAuthSink.class.getName(), String.valueOf(startTlsPort));

        System.out.printf(Locale.ROOT, "sendmail: vs Camel %s smtp:/smtps:, %d s per measurement after %d s warm-up, "
                                       + "1 KB text, 1 recipient, route direct: -> endpoint%n",
                new DefaultCamelContext().getVersion(), measureMillis / 1000, warmupMillis / 1000);
        try (SinkProcess sink = SinkProcess.start("smtp-sink", sinkCommand, sinkPort, work.resolve("smtp-sink.log"));
             SinkProcess tls = SinkProcess.start("stunnel", List.of(stunnel, stunnelConf.toString()), tlsPort,
                     work.resolve("stunnel.log"));
             SinkProcess startTls = SinkProcess.start("subethasmtp", subEtha, startTlsPort, work.resolve("subethasmtp.log"))) {
            String mail = "from=" + FROM + "&to=" + TO + "&subject=benchmark";
            for (int threads : new int[] { 1, 4 }) {
                compare("plain SMTP (smtp-sink)", threads, sink,
                        "sendmail:127.0.0.1:" + sinkPort + "?" + mail,
                        "smtp://127.0.0.1:" + sinkPort + "?" + mail);
                compare("implicit TLS (stunnel + smtp-sink)", threads, sink,
                        "sendmail:127.0.0.1:" + tlsPort + "?implicitTls=true&" + mail,
                        "smtps://127.0.0.1:" + tlsPort + "?" + mail);
                compare("STARTTLS + AUTH (SubEthaSMTP)", threads, startTls,
                        "sendmail:127.0.0.1:" + startTlsPort + "?username=" + StartTlsAuthSink.USER + "&password="
                                                                           + StartTlsAuthSink.PASSWORD
                                                                           + "&requireTransportSecurity=true&" + mail,
                        "smtp://127.0.0.1:" + startTlsPort + "?username=" + StartTlsAuthSink.USER + "&password="
                                                                           + StartTlsAuthSink.PASSWORD
                                                                           + "&additionalJavaMailProperties=#startTls&"
                                                                           + mail);
            }
            try (DelayRelay relay = new DelayRelay(sinkPort, ONE_WAY_DELAY_MILLIS)) {
                overALink("40 ms link to smtp-sink (PIPELINING)", sink, relay.port(), mail);
            }
            String postfixLabel = "40 ms link to Postfix smtpd (PIPELINING, CHUNKING)";
            String windowLabel = "window: 32 route threads, 1 connection, 40 ms link to Postfix smtpd";
            String unavailable = PostfixInstance.unavailable();
            if (unavailable != null) {
                System.out.println(postfixLabel + ": not measured, " + unavailable);
            } else if (selected(postfixLabel) || selected(windowLabel) || selected("burst")) {
                int postfixPort = SinkProcess.freePort();
                try (SinkProcess postfix = PostfixInstance.start(work, postfixPort);
                     DelayRelay relay = new DelayRelay(postfixPort, ONE_WAY_DELAY_MILLIS)) {
                    overALink(postfixLabel, postfix, relay.port(), mail);
                    window(windowLabel, postfix, relay.port(), mail);
                    burst("burst: 8 messages sent together, the next 8 once all are settled, 1 connection, 40 ms link to "
                          + "Postfix smtpd", postfix, relay.port(), mail);
                }
            }
        } finally {
            deleteTree(work);
        }
        System.out.println();
        System.out.println("| case | route threads | sendmail: msg/s | Camel smtp:/smtps: msg/s | ratio |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
        if (!windowRows.isEmpty()) {
            System.out.println();
            System.out.println("| over a 40 ms round trip to Postfix, 32 route threads, 1 connection | maxMessagesPerConnection "
                               + "| maxInFlight | msg/s | messages per round trip | share of the window kept full |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            windowRows.forEach(System.out::println);
        }
        if (!burstRows.isEmpty()) {
            System.out.println();
            System.out.println("| bursts of 8 messages sent together, 1 connection, 40 ms round trip to Postfix | "
                               + "maxMessagesPerConnection | ms a burst | round trips a burst |");
            System.out.println("| --- | ---: | ---: | ---: |");
            burstRows.forEach(row -> System.out.println("| sendmail: " + row));
        }
        if (!linkRows.isEmpty()) {
            System.out.println();
            System.out.println("| over a 40 ms round trip, 8 route threads | connections | msg/s | ratio to Camel smtp: "
                               + "| ratio to maxInFlight=1 | messages per round trip per connection |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            linkRows.forEach(System.out::println);
        }
    }

    /**
     * Through a relay that adds {@value #ONE_WAY_DELAY_MILLIS} ms each way: sendmail: on 1 and 4 connections, against
     * itself with one transaction in flight at a time, and against Camel's smtp:, all with 8 route threads.
     */
    private void overALink(String label, SinkProcess server, int port, String mail) throws Exception {
        if (!label.toLowerCase(Locale.ROOT).contains(only.toLowerCase(Locale.ROOT))) {
            return;
        }
        int threads = 8;
        double roundTrip = 2 * ONE_WAY_DELAY_MILLIS / 1000.0;
        String sendmail = "sendmail:127.0.0.1:" + port + "?" + mail;
        Result camel = measure("smtp://127.0.0.1:" + port + "?" + mail, threads, server);
        for (int connections : new int[] { 1, 4 }) {
            Result one = measure(sendmail + "&maxConnections=" + connections + "&maxInFlight=1", threads, server);
            Result many = measure(sendmail + "&maxConnections=" + connections, threads, server);
            System.out.printf(Locale.ROOT, "%-40s %d connection(s): sendmail: %7.1f msg/s (%d sent), maxInFlight=1 %7.1f msg/s, "
                                           + "smtp: %6.1f msg/s; %.2f messages per round trip per connection%n",
                    label, connections, many.perSecond(), many.sent(), one.perSecond(), camel.perSecond(),
                    many.perSecond() * roundTrip / connections);
            linkRows.add(String.format(Locale.ROOT, "| %s, sendmail: | %d | %.1f | %.1f | %.1f | %.2f |", label, connections,
                    many.perSecond(), many.perSecond() / camel.perSecond(), many.perSecond() / one.perSecond(),
                    many.perSecond() * roundTrip / connections));
            linkRows.add(String.format(Locale.ROOT, "| %s, sendmail: maxInFlight=1 | %d | %.1f | %.1f | 1.0 | %.2f |", label,
                    connections, one.perSecond(), one.perSecond() / camel.perSecond(), one.perSecond() * roundTrip / connections));
        }
        linkRows.add(String.format(Locale.ROOT, "| %s, Camel smtp: (a connection per message) | %d | %.1f | 1.0 | | %.2f |",
                label, threads, camel.perSecond(), camel.perSecond() * roundTrip / threads));
    }

    private boolean selected(String label) {
        return label.toLowerCase(Locale.ROOT).contains(only.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the window of transactions is kept full: one connection, more route threads than the window, so that
     * messages always wait; each maxInFlight should carry about that many messages per round trip. Measured with the
     * default maxMessagesPerConnection (100: the connection is replaced, its TLS handshake and two EHLOs again, every
     * 100 messages, and with maxConnections=1 nothing else carries messages meanwhile) and with one connection for the
     * whole run, which shows the window alone.
     */
    private void window(String label, SinkProcess server, int port, String mail) throws Exception {
        if (!selected(label)) {
            return;
        }
        double roundTrip = 2 * ONE_WAY_DELAY_MILLIS / 1000.0;
        for (String perConnection : new String[] { "100 (default)", "1000000" }) {
            for (int inFlight : new int[] { 4, 8, 16, 32 }) {
                Result result = measure("sendmail:127.0.0.1:" + port + "?" + mail + "&maxConnections=1&maxInFlight=" + inFlight
                                        + "&maxMessagesPerConnection=" + perConnection.split(" ")[0], 32, server);
                double perRoundTrip = result.perSecond() * roundTrip;
                System.out.printf(Locale.ROOT, "%s, maxMessagesPerConnection=%s, maxInFlight=%d: %7.1f msg/s (%d sent), "
                                               + "%.2f messages per round trip%n",
                        label, perConnection, inFlight, result.perSecond(), result.sent(), perRoundTrip);
                windowRows.add(String.format(Locale.ROOT, "| sendmail: | %s | %d | %.1f | %.2f | %.0f%% |", perConnection,
                        inFlight, result.perSecond(), perRoundTrip, 100 * perRoundTrip / inFlight));
            }
        }
    }

    /**
     * A burst of messages sent together, as a poll of Kafka records or a split sends them: 8 route threads start
     * together, and the next burst starts once every message of this one is settled. With maxInFlight=8 a burst should
     * take one round trip.
     */
    private void burst(String label, SinkProcess server, int port, String mail) throws Exception {
        if (!selected(label)) {
            return;
        }
        for (String perConnection : new String[] { "100", "1000000" }) {
            burstRun(label, port, mail + "&maxMessagesPerConnection=" + perConnection, server);
        }
    }

    private void burstRun(String label, int port, String mail, SinkProcess server) throws Exception {
        int size = 8;
        long before = server.settledCount();
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bench").to("sendmail:127.0.0.1:" + port + "?" + mail + "&maxConnections=1");
            }
        });
        context.start();
        ExecutorService pool = Executors.newFixedThreadPool(size);
        int bursts = 0;
        long sent = 0;
        long nanos = 0;
        try {
            ProducerTemplate template = context.createProducerTemplate();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis + measureMillis);
            long measureFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
            while (System.nanoTime() < end) {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<Future<?>> sends = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    sends.add(pool.submit(() -> {
                        go.await();
                        template.sendBody("direct:bench", BODY);
                        return null;
                    }));
                }
                long start = System.nanoTime();
                go.countDown();
                for (Future<?> send : sends) {
                    send.get(60, TimeUnit.SECONDS);
                }
                sent += size;
                if (start >= measureFrom) {
                    bursts++;
                    nanos += System.nanoTime() - start;
                }
            }
        } finally {
            pool.shutdownNow();
            context.stop();
        }
        long arrived = server.settledCount() - before;
        double perBurstMillis = nanos / 1e6 / bursts;
        if (arrived != sent) {
            throw new IllegalStateException(label + ": sent " + sent + " messages but the server received " + arrived);
        }
        String perConnection = mail.substring(mail.indexOf("maxMessagesPerConnection=") + 25);
        System.out.printf(Locale.ROOT, "%s, maxMessagesPerConnection=%s: %d bursts, %.1f ms a burst, %.2f round trips a "
                                       + "burst%n", label, perConnection, bursts, perBurstMillis,
                perBurstMillis / (2.0 * ONE_WAY_DELAY_MILLIS));
        burstRows.add(String.format(Locale.ROOT, "| %s | %.1f | %.2f |", perConnection, perBurstMillis,
                perBurstMillis / (2.0 * ONE_WAY_DELAY_MILLIS)));
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("could not remove " + root + ": " + e);
        }
    }

    private void compare(String label, int threads, SinkProcess server, String sendmailUri, String camelMailUri)
            throws Exception {
        if (!label.toLowerCase(Locale.ROOT).contains(only.toLowerCase(Locale.ROOT))) {
            return;
        }
        Result sendmail = measure(sendmailUri, threads, server);
        Result camelMail = measure(camelMailUri, threads, server);
        double ratio = sendmail.perSecond() / camelMail.perSecond();
        System.out.printf(Locale.ROOT, "%-36s %d thread(s): sendmail: %8.1f msg/s (%d sent)   %-6s %8.1f msg/s (%d sent)   ratio %.1f%n",
                label, threads, sendmail.perSecond(), sendmail.sent(), camelMailUri.substring(0, camelMailUri.indexOf(':') + 1),
                camelMail.perSecond(), camelMail.sent(), ratio);
        rows.add(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |", label, threads, sendmail.perSecond(),
                camelMail.perSecond(), ratio));
    }

    record Result(double perSecond, long sent) {
    }

    /**
     * Runs the route from {@code threads} threads: {@code warmupMillis} unmeasured, then {@code measureMillis} counted.
     * Fails if any message failed, or if the server's count differs from the messages sent.
     */
    private Result measure(String uri, int threads, SinkProcess server) throws Exception {
        long before = server.settledCount();
        CamelContext context = new DefaultCamelContext();
        Properties startTls = new Properties();
        startTls.put("mail.smtp.starttls.enable", "true");
        startTls.put("mail.smtp.starttls.required", "true");
        context.getRegistry().bind("startTls", startTls);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bench").to(uri);
            }
        });
        context.start();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong measured = new AtomicLong();
        AtomicLong total = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long measuredNanos;
        try {
            ProducerTemplate template = context.createProducerTemplate();
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(pool.submit(() -> {
                    while (running.get() && failure.get() == null) {
                        try {
                            template.sendBody("direct:bench", BODY);
                            total.incrementAndGet();
                            if (measuring.get()) {
                                measured.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                }));
            }
            Thread.sleep(warmupMillis);
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(measureMillis);
            measuring.set(false);
            measuredNanos = System.nanoTime() - start;
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get(120, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
            context.stop();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(uri + " failed: " + failure.get().getMessage(), failure.get());
        }
        long arrived = server.settledCount() - before;
        if (arrived != total.get()) {
            throw new IllegalStateException(uri + ": sent " + total.get() + " messages but the server received " + arrived);
        }
        return new Result(measured.get() * 1e9 / measuredNanos, total.get());
    }

    /** stunnel accepting TLS on {@code tlsPort} and relaying to the plain sink, with the test server key as PEM. */
    private static Path stunnelConfig(Path work, int tlsPort, int sinkPort) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/server.p12")) {
            store.load(in, TestTls.PASSWORD.toCharArray());
        }
        String alias = store.aliases().nextElement();
        Key key = store.getKey(alias, TestTls.PASSWORD.toCharArray());
        StringBuilder pem = new StringBuilder(pem("PRIVATE KEY", key.getEncoded()));
        for (Certificate certificate : store.getCertificateChain(alias)) {
            pem.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Path keyAndChain = work.resolve("server.pem");
        Files.writeString(keyAndChain, pem);
        Path conf = work.resolve("stunnel.conf");
        Files.writeString(conf, String.join("\n",
                "foreground = yes",
                "pid =",
                "debug = 3",
                // as TLS terminators in production do: each TLS record leaves at once, in either direction
                "socket = l:TCP_NODELAY=1",
                "socket = r:TCP_NODELAY=1",
                "[smtps]",
                "accept = 127.0.0.1:" + tlsPort,
                "connect = 127.0.0.1:" + sinkPort,
                "cert = " + keyAndChain,
                "") + "\n");
        return conf;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static String requireProgram(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            System.err.println("The benchmark needs " + path + ": apt-get install " + debianPackage);
            System.exit(2);
        }
        return path;
    }

    private static String oneKilobyteOfText() {
        StringBuilder text = new StringBuilder();
        String line = "The quick brown fox jumps over the lazy dog; sendmail: benchmark.\r\n";
        while (text.length() + line.length() <= 1024) {
            text.append(line);
        }
        while (text.length() < 1024) {
            text.append('.');
        }
        return text.toString();
    }
}
