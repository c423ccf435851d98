package io.camelsendmail.examples;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The examples application started in this JVM with test properties; the demo off unless asked for. */
final class RunningExamples implements AutoCloseable {

    private final Main main;
    final int httpPort;

    private RunningExamples(Path work, Map<String, String> properties) throws Exception {
        httpPort = freePort();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("files.outbox", work.resolve("outbox").toString());
        all.put("jms.embedded.data-dir", work.resolve("artemis").toString());
        all.put("http.port", String.valueOf(httpPort));
        all.put("examples.demo", "false");
        all.put("queue.redelivery-delay", "50");
        all.put("camel.main.duration-max-idle-seconds", "0");
        all.putAll(properties);
        main = ExamplesApplication.newMain();
        all.forEach(main::addOverrideProperty);
        main.start();
        // Main.run() calls its listeners after start; started this way, the demo is run here
        DemoRun.sendSamples(main.getCamelContext());
    }

    /** With an SMTP server of the test's own on loopback. */
    static RunningExamples against(int smtpPort, Path work, Map<String, String> properties) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.put("smtp.host", "127.0.0.1");
        all.put("smtp.port", String.valueOf(smtpPort));
        return new RunningExamples(work, all);
    }

    /** With the embedded defaults. */
    static RunningExamples embedded(Path work, Map<String, String> properties) throws Exception {
        return new RunningExamples(work, properties);
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        main.stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
