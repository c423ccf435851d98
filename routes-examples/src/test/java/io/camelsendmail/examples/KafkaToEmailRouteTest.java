package io.camelsendmail.examples;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.camelsendmail.examples.support.KafkaBrokerProcess;
import io.camelsendmail.examples.support.KafkaTestCluster;
import io.camelsendmail.examples.support.KafkaToEmailInstance;
import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three instances of KafkaToEmailApplication, each in its own JVM, on one 6-partition outbox topic of a real (KRaft,
 * in this JVM) Kafka broker, delivering 3,000 mails to a loopback SMTP server that records each Message-ID. One
 * instance is killed hard mid-run, a third starts later. Every mail arrives; a double is possible only for a mail the
 * server accepted and whose Message-ID the killed instance had not yet written to the shared repository, and the test
 * checks exactly that. Two poison records go to the dead-letter topic while the others flow.
 */
class KafkaToEmailRouteTest {

    private static final int MAILS = 3000;
    private static final Pattern MESSAGE_ID = Pattern.compile("(?m)^Message-ID: (<[^>]+>)");

    @TempDir
    Path work;

    @Test
    void threeInstancesOneKilledDeliverEveryMailWithDoublesOnlyInTheCrashWindow() throws Exception {
        List<KafkaToEmailInstance> instances = new ArrayList<>();
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.start();
             KafkaTestCluster kafka = KafkaTestCluster.start(6)) {
            String classPath = "target/classes" + File.pathSeparator
                               + Files.readString(Path.of("target/test-class-path.txt")).strip();
            Map<String, String> properties = Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtp.port()),
                    "kafka.session-timeout-ms", "6000", "kafka.heartbeat-interval-ms", "1000",
                    "kafka.redelivery-delay", "100");
            try {
                KafkaToEmailInstance a = KafkaToEmailInstance.start("instance-a", classPath, work, properties);
                KafkaToEmailInstance b = KafkaToEmailInstance.start("instance-b", classPath, work, properties);
                instances.add(a);
                instances.add(b);
                await().atMost(Duration.ofSeconds(60)).until(() -> kafka.groupMembers("sendmail") == 2);

                for (int i = 0; i < MAILS / 2; i++) {
                    kafka.sendMail(id(i), "statement " + i);
                }
                // poison: not a message at all, and a record without the key the repository needs
                kafka.send("<poison@scale.test>", "not a mail, no header section".getBytes(StandardCharsets.US_ASCII));
                kafka.send(null, mail("<unkeyed@scale.test>"));
                kafka.flush();

                // mid-run, with both instances sending: instance-a dies at once
                await().atMost(Duration.ofSeconds(60)).until(() -> smtp.accepted().size() >= MAILS / 5);
                a.kill();
                long killedAt = System.currentTimeMillis();
                int acceptedAtKill = smtp.accepted().size();

                KafkaToEmailInstance c = KafkaToEmailInstance.start("instance-c", classPath, work, properties);
                instances.add(c);
                // the second half once the group has let instance-a go and given instance-c its partitions: however
                // fast the others are, instance-c has mails of its own to send
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    List<String> members = kafka.assignedMembers("sendmail");
                    return members.stream().anyMatch(m -> m.startsWith("instance-c"))
                           && members.stream().noneMatch(m -> m.startsWith("instance-a"));
                });
                for (int i = MAILS / 2; i < MAILS; i++) {
                    kafka.sendMail(id(i), "statement " + i);
                }
                kafka.flush();

                await().atMost(Duration.ofSeconds(120)).until(() -> distinctIds(smtp).size() == MAILS);
                // a double sent late would still arrive: wait until the server has been quiet for 2 s
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    List<ScriptedSmtpServer.Accepted> all = smtp.accepted();
                    return System.currentTimeMillis() - all.get(all.size() - 1).millis() > 2000;
                });

                // every mail arrived, and each instance that lived sent some
                List<ScriptedSmtpServer.Accepted> accepted = smtp.accepted();
                Map<Integer, String> instanceOf = instanceOfConnection(smtp);
                Set<String> ids = distinctIds(smtp);
                for (int i = 0; i < MAILS; i++) {
                    assertThat(ids).contains(id(i));
                }
                Map<String, Long> perInstance = accepted.stream()
                        .collect(Collectors.groupingBy(m -> instanceOf.get(m.connection()), Collectors.counting()));
                assertThat(perInstance).containsKeys("instance-a", "instance-b", "instance-c");

                // the crash window: mails instance-a had accepted whose Message-ID it had not yet written to the repository
                Set<String> writtenBeforeKill = new HashSet<>();
                for (ConsumerRecord<String, byte[]> r : kafka.read(KafkaTestCluster.SENT)) {
                    if (r.timestamp() <= killedAt) {
                        writtenBeforeKill.add(r.key());
                    }
                }
                Set<String> window = new HashSet<>();
                for (ScriptedSmtpServer.Accepted m : accepted) {
                    if ("instance-a".equals(instanceOf.get(m.connection())) && m.millis() <= killedAt
                        && !writtenBeforeKill.contains(messageId(m.data()))) {
                        window.add(messageId(m.data()));
                    }
                }
                Map<String, Integer> counts = new HashMap<>();
                accepted.forEach(m -> counts.merge(messageId(m.data()), 1, Integer::sum));
                Map<String, Integer> doubles = new LinkedHashMap<>();
                counts.forEach((id, n) -> {
                    if (n > 1) {
                        doubles.put(id, n);
                    }
                });
                int duplicates = accepted.size() - ids.size();
                System.out.printf("Kafka scale-out: %d mails, %d accepted (%d at the kill), per instance %s, "
                                  + "duplicates %d %s, crash window %d %s%n", MAILS, accepted.size(), acceptedAtKill,
                        perInstance, duplicates, doubles.keySet(), window.size(), window);
                for (String id : doubles.keySet()) {
                    System.out.printf("  %s accepted: %s (kill at %d)%n", id, accepted.stream()
                            .filter(m -> id.equals(messageId(m.data())))
                            .map(m -> instanceOf.get(m.connection()) + "@" + m.millis()).toList(), killedAt);
                }
                // kafka.in-flight (8) records at a time per instance: at most that many mails between a 250 and its
                // repository write
                assertThat(window).hasSizeLessThanOrEqualTo(8);
                assertThat(duplicates).isLessThanOrEqualTo(window.size());
                assertThat(window).containsAll(doubles.keySet());
                doubles.values().forEach(n -> assertThat(n).isEqualTo(2));

                // the ten oldest Message-IDs, far older than the 1,000 most recent, produced again (an offset reset, a
                // re-drive of dead letters): none is sent again
                Map<String, Long> before = new HashMap<>();
                for (int i = 0; i < 10; i++) {
                    String id = id(i);
                    before.put(id, smtp.accepted().stream().filter(m -> id.equals(messageId(m.data()))).count());
                    kafka.sendMail(id, "statement " + i + " again");
                }
                kafka.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> kafka.lag("sendmail") == 0);
                for (int i = 0; i < 10; i++) {
                    String id = id(i);
                    assertThat(smtp.accepted().stream().filter(m -> id.equals(messageId(m.data()))).count())
                            .as("%s produced again", id).isEqualTo(before.get(id));
                }

                // the poison went to the dead-letter topic, with its error, and blocked nothing
                List<ConsumerRecord<String, byte[]>> dead = kafka.read(KafkaTestCluster.DEAD_LETTER);
                assertThat(dead).hasSize(2);
                Map<String, String> errors = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : dead) {
                    Header type = r.headers().lastHeader("SendmailErrorType");
                    Header error = r.headers().lastHeader("SendmailError");
                    errors.put(String.valueOf(r.key()), new String(type.value(), StandardCharsets.UTF_8) + ": "
                                                        + new String(error.value(), StandardCharsets.UTF_8));
                }
                assertThat(errors.get("<poison@scale.test>")).startsWith("InvalidMessageException");
                // the dead letter is the record as it came, byte for byte
                assertThat(dead.stream().filter(r -> "<poison@scale.test>".equals(r.key())).findFirst().orElseThrow().value())
                        .isEqualTo("not a mail, no header section".getBytes(StandardCharsets.US_ASCII));
                assertThat(errors.get("null")).startsWith("InvalidMessageException").contains("the record has no key");
                assertThat(ids).doesNotContain("<poison@scale.test>", "<unkeyed@scale.test>");
            } catch (AssertionError | RuntimeException e) {
                instances.forEach(i -> System.out.println(i.tail(40)));
                throw e;
            } finally {
                for (KafkaToEmailInstance instance : instances) {
                    instance.close();
                }
            }
        }
    }

    @Test
    void theBrokerKilledWhileOffsetsAreCommittedPutsNoDeliveredMailOnTheDeadLetterTopic() throws Exception {
        int mails = 1500;
        String classPath = "target/classes" + File.pathSeparator
                           + Files.readString(Path.of("target/test-class-path.txt")).strip();
        KafkaToEmailInstance instance = null;
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.start();
             KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("broker"), classPath, 6)) {
            Map<String, String> properties = Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtp.port()),
                    "kafka.session-timeout-ms", "6000", "kafka.heartbeat-interval-ms", "1000",
                    "kafka.redelivery-delay", "100");
            try {
                instance = KafkaToEmailInstance.start("instance-a", classPath, work, properties);
                await().atMost(Duration.ofSeconds(60)).until(() -> kafka.groupMembers("sendmail") == 1);
                for (int i = 0; i < mails; i++) {
                    kafka.sendMail(id(i), "statement " + i);
                }
                kafka.flush();

                // mid-run, with a commit after every batch of 8: the broker dies, and stays away for 10 s
                await().atMost(Duration.ofSeconds(60)).until(() -> smtp.accepted().size() >= mails / 5);
                kafka.kill();
                int acceptedAtKill = smtp.accepted().size();
                Thread.sleep(10_000);
                int acceptedWhileAway = smtp.accepted().size() - acceptedAtKill;
                kafka.restart();

                await().atMost(Duration.ofSeconds(180)).until(() -> distinctIds(smtp).size() == mails);
                // every record settled and committed: nothing is left to come back
                await().atMost(Duration.ofSeconds(90)).until(() -> kafka.lag("sendmail") == 0);

                List<ScriptedSmtpServer.Accepted> accepted = smtp.accepted();
                Set<String> ids = distinctIds(smtp);
                List<ConsumerRecord<String, byte[]>> dead = kafka.read(KafkaTestCluster.DEAD_LETTER);
                List<String> failedCommits = instance.linesWith("Could not commit the offset");
                System.out.printf("Broker outage: %d mails, %d accepted (%d at the kill, %d while the broker was away), "
                                  + "%d commits failed, %d duplicates, %d dead letters %s%n", mails, accepted.size(),
                        acceptedAtKill, acceptedWhileAway, failedCommits.size(), accepted.size() - ids.size(), dead.size(),
                        dead.stream().map(ConsumerRecord::key).toList());
                failedCommits.forEach(line -> System.out.println("  " + line));
                // the outage fell on commits: some failed, and were logged as such
                assertThat(failedCommits).isNotEmpty();
                for (int i = 0; i < mails; i++) {
                    assertThat(ids).contains(id(i));
                }
                // a commit that fails is not a failed delivery: no mail the server accepted is a dead letter
                assertThat(dead.stream().map(ConsumerRecord::key).filter(ids::contains).toList()).isEmpty();
                assertThat(dead).isEmpty();
                // one instance remembers every Message-ID it sent: a record that comes back uncommitted is skipped
                assertThat(accepted).hasSize(mails);
            } catch (AssertionError | RuntimeException e) {
                if (instance != null) {
                    System.out.println(instance.tail(60));
                }
                throw e;
            } finally {
                if (instance != null) {
                    instance.close();
                }
            }
        }
    }

    private static String id(int n) {
        return "<statement-" + n + "@scale.test>";
    }

    private static byte[] mail(String messageId) {
        return ("From: shop@example.com\r\nTo: customer@example.com\r\nSubject: x\r\nMessage-ID: " + messageId
                + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String messageId(String data) {
        Matcher m = MESSAGE_ID.matcher(data);
        return m.find() ? m.group(1) : "(none)";
    }

    private static Set<String> distinctIds(ScriptedSmtpServer smtp) {
        return smtp.accepted().stream().map(m -> messageId(m.data())).collect(Collectors.toSet());
    }

    /** Which instance each connection came from, by the name it gave in EHLO. */
    private static Map<Integer, String> instanceOfConnection(ScriptedSmtpServer smtp) {
        Map<Integer, String> names = new HashMap<>();
        for (ScriptedSmtpServer.Received r : smtp.received()) {
            if (r.line().toUpperCase().startsWith("EHLO ")) {
                names.put(r.connection(), r.line().substring(5).trim());
            }
        }
        return names;
    }
}
