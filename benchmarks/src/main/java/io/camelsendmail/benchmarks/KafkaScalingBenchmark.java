package io.camelsendmail.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.camelsendmail.examples.support.KafkaTestCluster;
import io.camelsendmail.examples.support.KafkaToEmailInstance;

/**
 * The Kafka example scaled out: 1, 2 and 3 instances of KafkaToEmailApplication (each its own JVM, one consumer, one
 * SMTP connection, kafka.in-flight records at a time) on one 6-partition outbox topic, sending behind a 40 ms round
 * trip to a Postfix smtpd of the benchmark's own (PIPELINING, CHUNKING) and to Postfix's smtp-sink. The figure is
 * messages per second end to end: from the first record produced to the server's count of the last mail. Each count of
 * instances is measured twice:
 * <ul>
 * <li>cold: right after the group gave every instance partitions (and 30 mails went), while the fresh JVMs' JIT
 * compilers still work: three of them at once take much of this machine's two cores;</li>
 * <li>warm: after the instances sent at full speed for {@code bench.kafka.warmup} seconds (default 30), as instances
 * that run for hours do.</li>
 * </ul>
 * {@code -Dbench.only=postfix} or {@code smtp-sink} runs one of them; {@code -Dbench.kafka.mails} sets the warm count
 * (default 4,000 to Postfix, a quarter of it to smtp-sink, which takes one message per round trip).
 */
public final class KafkaScalingBenchmark {

    private static final int MAILS = Integer.getInteger("bench.kafka.mails", 4000);
    private static final int COLD_MAILS = 720;
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.kafka.warmup", 30);
    private static final long ONE_WAY_DELAY_MILLIS = 20;

    public static void main(String[] args) throws Exception {
        String smtpSink = ThroughputBenchmark.requireProgram("/usr/sbin/smtp-sink", "postfix");
        Path work = Files.createTempDirectory("sendmail-kafka-bench");
        // Postfix's own user reaches the folders under it
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String only = System.getProperty("bench.only", "");
        System.out.println("instance logs: " + work);
        System.out.printf(Locale.ROOT, "Kafka to email: 6 partitions, 1 consumer and 1 SMTP connection per instance "
                                       + "(kafka.in-flight 8), over a %d ms round trip; cold: %d mails at once after the "
                                       + "start, warm: after %d s at full speed%n",
                2 * ONE_WAY_DELAY_MILLIS, COLD_MAILS, WARM_UP_SECONDS);
        System.out.printf(Locale.ROOT, "%-14s %-9s %10s %6s %10s %6s %6s %9s%n", "server", "instances", "cold msg/s", "vs 1",
                "warm msg/s", "vs 1", "mails", "CPU busy");
        for (String server : List.of("postfix smtpd", "smtp-sink")) {
            if (!only.isEmpty() && !server.startsWith(only)) {
                continue;
            }
            if (server.startsWith("postfix") && PostfixInstance.unavailable() != null) {
                System.out.println("postfix smtpd: skipped, " + PostfixInstance.unavailable());
                continue;
            }
            int sinkPort = SinkProcess.freePort();
            SinkProcess sink;
            int mails = MAILS;
            if (server.startsWith("postfix")) {
                sink = PostfixInstance.start(work.resolve("postfix-run"), sinkPort);
            } else {
                List<String> sinkCommand = new ArrayList<>(List.of(smtpSink, "-c"));
                if ("root".equals(System.getProperty("user.name"))) {
                    sinkCommand.addAll(List.of("-u", "nobody"));
                }
                sinkCommand.addAll(List.of("127.0.0.1:" + sinkPort, "256"));
                sink = SinkProcess.start("smtp-sink", sinkCommand, sinkPort, work.resolve("smtp-sink.log"));
                mails = MAILS / 4;
            }
            double[] one = null;
            try (sink; DelayRelay relay = new DelayRelay(sinkPort, ONE_WAY_DELAY_MILLIS)) {
                for (int instances = 1; instances <= 3; instances++) {
                    double[] measured = measure(server.split(" ")[0], instances, mails, sink, relay.port(), work);
                    if (instances == 1) {
                        one = measured;
                    }
                    System.out.printf(Locale.ROOT, "%-14s %-9d %10.1f %6.2f %10.1f %6.2f %6d %8.0f%%%n", server, instances,
                            measured[0], measured[0] / one[0], measured[1], measured[1] / one[1], mails, measured[2]);
                }
            }
        }
        System.exit(0);
    }

    /**
     * @return mails a second end to end cold and warm, and the share of the machine's CPU time that was busy while the
     *         warm ones went (every process: the broker, the instances, the relay, the server), from {@code /proc/stat}
     */
    private static double[] measure(String server, int count, int mails, SinkProcess sink, int smtpPort, Path work)
            throws Exception {
        List<KafkaToEmailInstance> instances = new ArrayList<>();
        try (KafkaTestCluster kafka = KafkaTestCluster.start(6)) {
            Map<String, String> properties = Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtpPort),
                    // each instance's log in its own file under the work folder, a line per record at info
                    "org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("bench.kafka.log", "warn"),
                    "org.slf4j.simpleLogger.logFile", "System.out", "org.slf4j.simpleLogger.showDateTime", "true",
                    "org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
            for (int i = 0; i < count; i++) {
                instances.add(KafkaToEmailInstance.start(server + "-" + count + "-" + i, System.getProperty("java.class.path"),
                        work, properties));
            }
            // every instance holds partitions: a member that joined is not yet one the group has given any (the group
            // rebalances for each newcomer, and measuring before it settles measures fewer instances)
            await(() -> kafka.assignedMembers("sendmail").size() == count, Duration.ofSeconds(90),
                    "the group to have given partitions to " + count + " members");
            // every instance has opened its connection and sent a few mails
            send(kafka, sink, "first", count, 30);
            double cold = send(kafka, sink, "cold", count, COLD_MAILS)[0];

            // warm-up: full speed for WARM_UP_SECONDS, a backlog of records always waiting
            long warmUpStart = System.nanoTime();
            long produced = 0;
            long before = sink.count();
            while (System.nanoTime() - warmUpStart < WARM_UP_SECONDS * 1_000_000_000L) {
                for (int i = 0; i < 100; i++, produced++) {
                    kafka.sendMail("<warm-" + count + "-" + produced + "@bench.test>", "warm-up " + produced);
                }
                kafka.flush();
                long due = before + produced - 100;
                await(() -> sink.count() >= due, Duration.ofSeconds(90), "the warm-up mails");
            }
            long warmedUp = before + produced;
            await(() -> sink.count() >= warmedUp, Duration.ofSeconds(90), "the warm-up mails");

            double[] warm = send(kafka, sink, "mail", count, mails);
            return new double[] { cold, warm[0], warm[1] };
        } finally {
            for (KafkaToEmailInstance instance : instances) {
                instance.close();
            }
        }
    }

    /**
     * Produces {@code mails} records at once and waits until the server counted as many more mails.
     *
     * @return mails a second end to end, and the share of the machine's CPU time that was busy meanwhile
     */
    private static double[] send(KafkaTestCluster kafka, SinkProcess sink, String name, int count, int mails) throws Exception {
        long base = sink.count();
        long[] cpuBefore = cpuTimes();
        long start = System.nanoTime();
        for (int i = 0; i < mails; i++) {
            kafka.sendMail("<" + name + "-" + count + "-" + i + "@bench.test>", name + " " + i);
        }
        kafka.flush();
        await(() -> sink.count() >= base + mails, Duration.ofMinutes(10), mails + " mails");
        double rate = mails / ((System.nanoTime() - start) / 1e9);
        long[] cpuAfter = cpuTimes();
        long total = cpuAfter[0] - cpuBefore[0];
        return new double[] { rate, total == 0 ? 0 : 100.0 * (total - (cpuAfter[1] - cpuBefore[1])) / total };
    }

    /** @return the machine's CPU time so far, all of it and the idle part (idle and iowait), in clock ticks */
    private static long[] cpuTimes() throws java.io.IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] { total, Long.parseLong(fields[4]) + Long.parseLong(fields[5]) };
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    private static void await(Condition condition, Duration limit, String what) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + limit.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }
}
