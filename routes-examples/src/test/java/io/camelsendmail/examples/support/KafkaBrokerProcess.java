package io.camelsendmail.examples.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

/**
 * A Kafka broker as users run one: {@code kafka.Kafka} with a KRaft {@code server.properties} (broker and controller
 * in one node, on loopback), in a JVM of its own, its log in a folder that outlives it. {@link #kill()} ends it with
 * SIGKILL; {@link #restart()} starts it again on the same ports and the same log, as a supervisor would.
 */
public final class KafkaBrokerProcess extends KafkaOutbox {

    private static final String CLUSTER_ID = "c2VuZG1haWwtdGVzdHMhIQ";

    private final Path dir;
    private final List<String> command;
    private Process process;
    private int starts;

    private KafkaBrokerProcess(String bootstrapServers, Path dir, List<String> command) {
        super(bootstrapServers);
        this.dir = dir;
        this.command = command;
    }

    /**
     * Formats the broker's log folder, starts it, and creates the outbox topics.
     *
     * @param classPath a class path with Kafka's server (the test kit's dependencies have it)
     */
    public static KafkaBrokerProcess start(Path dir, String classPath, int partitions) throws Exception {
        Files.createDirectories(dir);
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false", ""));
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.logFile=System.out", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath);
        List<String> format = new ArrayList<>(java);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", properties.toString()));
        Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            formatting.destroyForcibly();
            throw new IllegalStateException("formatting the broker's log failed: " + Files.readString(dir.resolve("format.log")));
        }
        List<String> run = new ArrayList<>(java);
        run.addAll(List.of("kafka.Kafka", properties.toString()));
        KafkaBrokerProcess broker = new KafkaBrokerProcess("127.0.0.1:" + brokerPort, dir, run);
        try {
            broker.launch();
            try (Admin admin = broker.admin()) {
                createTopics(admin, partitions);
            }
            return broker;
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void launch() throws Exception {
        starts++;
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker-" + starts + ".log").toFile()).start();
        awaitReady();
    }

    /** Waits, at most 60 s, until the broker answers an admin request. */
    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited: " + Files.readString(dir.resolve("broker-" + starts + ".log")));
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not answer within 60 s", last);
    }

    /** Kills the broker at once (SIGKILL): no controlled shutdown, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts the broker again on the same ports and the same log, and waits until it answers. */
    public void restart() throws Exception {
        launch();
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
