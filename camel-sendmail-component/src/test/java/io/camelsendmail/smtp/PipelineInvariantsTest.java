package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The transaction engine against thousands of generated servers, without a socket: each run sends a few messages
 * through {@link SmtpConnection}s to {@link SimulatedServer}s that refuse, say 421, close, reset, take a message and
 * vanish before their 250, or send lines nobody asked for, at any command; the connections are driven as the pool's
 * workers drive them. After each run the invariants must hold:
 * <ul>
 * <li>every message ends exactly once;</li>
 * <li>a message is reported delivered only if a server answered its end of data 250;</li>
 * <li>a message a server took is never reported as a transient failure (a redelivery would send it twice);</li>
 * <li>a message is reported failed not transient only for a 5xx reply, or where a connection it was written on ended
 * without a 421 (the server may hold it);</li>
 * <li>no server takes a message twice;</li>
 * <li>the client never waits for a reply to something it did not flush.</li>
 * </ul>
 * Some runs cap the messages per connection, as {@code maxMessagesPerConnection} does: QUIT then goes behind the last
 * transactions, pipelined, and a fault may strike it too.
 * <ul>
 * </ul>
 * A failing run prints its seed; {@code -Dpipeline.seed=N} replays it.
 */
class PipelineInvariantsTest {

    private static final int RUNS = 12_000;
    private static final int CONNECTIONS_PER_RUN = 12;

    private record Outcome(Delivery delivery, SendmailException failure) {
    }

    private static final class SimMessage implements OutgoingMessage {
        final String id;
        final List<String> recipients;
        final byte[] bytes;

        SimMessage(String id, int recipients) {
            this.id = id;
            List<String> to = new ArrayList<>();
            for (int i = 0; i < recipients; i++) {
                to.add("r" + i + "@sim.test");
            }
            this.recipients = List.copyOf(to);
            this.bytes = ("Message-ID: <" + id + "@sim>\r\nSubject: " + id + "\r\n\r\nbody of " + id + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String sender() {
            return "s@sim.test";
        }

        @Override
        public List<String> recipients() {
            return recipients;
        }

        @Override
        public boolean needsSmtpUtf8() {
            return false;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public byte[] bytes() {
            return bytes;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(bytes);
        }
    }

    @Test
    void everyGeneratedServerLeavesEveryMessageSettledOnceAndHonestly() {
        String replay = System.getProperty("pipeline.seed");
        long base = replay != null ? Long.parseLong(replay) : 20261130L;
        int runs = replay != null ? 1 : RUNS;
        int conversations = 0;
        Map<String, Integer> totals = new HashMap<>();
        World all = new World();
        for (int run = 0; run < runs; run++) {
            long seed = base + run;
            try {
                conversations += run(seed, totals, all);
            } catch (AssertionError e) {
                throw new AssertionError("run with seed " + seed + " (replay: -Dpipeline.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
        System.out.printf("PipelineInvariantsTest: %d runs, %d conversations, outcomes %s; servers said 421 %d times, "
                          + "closed silently %d, reset %d, sent %d stray lines and %d floods; %d QUITs pipelined%n",
                runs, conversations, totals, all.closings, all.drops, all.resets, all.strays, all.floods, all.pipelinedQuits);
        if (replay == null) {
            assertThat(conversations).isGreaterThanOrEqualTo(10_000);
            // the generator reaches every kind of outcome and misbehaviour
            assertThat(totals).containsKeys("delivered", "refused", "may have accepted", "failed transient");
            assertThat(all.closings).isPositive();
            assertThat(all.drops).isPositive();
            assertThat(all.resets).isPositive();
            assertThat(all.strays).isPositive();
            assertThat(all.floods).isPositive();
            assertThat(all.pipelinedQuits).isPositive();
        }
    }

    /** @return the number of connections the run opened */
    private static int run(long seed, Map<String, Integer> totals, World all) {
        Random random = new Random(seed);
        boolean pipelining = random.nextInt(4) != 0;
        boolean chunking = random.nextBoolean();
        boolean partial = random.nextInt(5) != 0;
        int maxInFlight = 1 + random.nextInt(8);
        int faultsPerMille = new int[] { 0, 20, 80, 200, 400 }[random.nextInt(5)];
        // as maxMessagesPerConnection: a connection that reaches it writes QUIT behind its last transactions
        int perConnection = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : Integer.MAX_VALUE;
        SmtpSettings settings = new SmtpSettings("sim.test", 25, false, null, "client.test", null, null, null,
                new TransportSecurity(false, false, false, false), 1000, 1000, partial, false, false, 1, 100,
                maxInFlight, 0, 0, 30_000, 900_000, null);
        World world = new World();
        Map<String, List<Outcome>> outcomes = new HashMap<>();
        ArrayDeque<Job> queue = new ArrayDeque<>();
        List<Job> jobs = new ArrayList<>();
        int messages = 1 + random.nextInt(12);
        for (int i = 0; i < messages; i++) {
            SimMessage message = new SimMessage("m" + i, 1 + random.nextInt(3));
            Job job = new Job(message, (delivery, failure) -> outcomes.computeIfAbsent(message.id, id -> new ArrayList<>())
                    .add(new Outcome(delivery, failure)), Runnable::run);
            queue.add(job);
            jobs.add(job);
        }
        int connections = 0;
        while (!queue.isEmpty() && connections < CONNECTIONS_PER_RUN) {
            int number = ++connections;
            world.currentConnection = number;
            SimulatedServer server = new SimulatedServer(random, world, number, pipelining, chunking, faultsPerMille);
            SmtpConnection connection;
            try {
                connection = SmtpConnection.open(settings, s -> server);
            } catch (SendmailException e) {
                // as the pool does: the message that asked for the connection reports why there is none
                queue.pollFirst().fail(e);
                continue;
            }
            carry(connection, queue, perConnection);
        }
        for (Job left : queue) {
            left.fail(new SmtpConnectException("the run ended", "CONNECT", -1, true, null, null));
        }
        check(jobs, outcomes, world, totals);
        all.closings += world.closings;
        all.drops += world.drops;
        all.resets += world.resets;
        all.strays += world.strays;
        all.floods += world.floods;
        all.pipelinedQuits += world.pipelinedQuits;
        return connections;
    }

    /** As the pool's worker carries messages on one connection, on one thread. */
    private static void carry(SmtpConnection connection, ArrayDeque<Job> queue, int perConnection) {
        for (int steps = 0; ; steps++) {
            if (steps > 10_000) {
                fail("no progress after 10,000 steps on one connection");
            }
            while (connection.canBegin() && !queue.isEmpty() && connection.transactions() < perConnection) {
                connection.begin(queue.pollFirst());
            }
            if (connection.transactions() >= perConnection) {
                connection.quitWhenDone();
            }
            connection.completeSettled();
            connection.report(events(queue));
            if (!connection.busy() || connection.isBroken()) {
                break;
            }
            connection.flush();
            connection.readOne();
            connection.report(events(queue));
            connection.completeSettled();
            if (connection.isBroken()) {
                break;
            }
        }
        connection.abandon();
        connection.report(events(queue));
        connection.completeSettled();
        connection.close();
    }

    /** As the pool hears its connections: messages not taken and those with recipients left go first again. */
    private static ConnectionEvents events(ArrayDeque<Job> queue) {
        return new ConnectionEvents() {
            @Override
            public void notTaken(List<Job> jobs) {
                requeue(jobs, queue);
            }

            @Override
            public void recipientsLeft(List<Job> jobs) {
                resume(jobs, queue);
            }
        };
    }

    /** As the pool does with a message whose recipients are left for a transaction of their own. */
    private static void resume(List<Job> continued, ArrayDeque<Job> queue) {
        for (int i = continued.size() - 1; i >= 0; i--) {
            queue.addFirst(continued.get(i));
        }
    }

    private static void requeue(List<Job> retries, ArrayDeque<Job> queue) {
        for (int i = retries.size() - 1; i >= 0; i--) {
            Job job = retries.get(i);
            if (++job.requeued > SmtpConnectionPool.MAX_REQUEUES) {
                job.fail(new SmtpConnectException("requeued too often", "MAIL", -1, true, null, null));
            } else {
                queue.addFirst(job);
            }
        }
    }

    private static void check(List<Job> jobs, Map<String, List<Outcome>> outcomes, World world, Map<String, Integer> totals) {
        assertThat(world.hangs).as("replies awaited for commands never flushed").isZero();
        for (Job job : jobs) {
            String id = ((SimMessage) job.message).id;
            assertThat(job.outcomesOffered()).as("outcomes offered for %s", id).isEqualTo(1);
            List<Outcome> list = outcomes.getOrDefault(id, List.of());
            assertThat(list).as("outcomes of %s", id).hasSize(1);
            Outcome outcome = list.get(0);
            int taken = world.taken.getOrDefault(id, 0);
            assertThat(taken).as("times a server took %s", id).isLessThanOrEqualTo(1);
            if (outcome.delivery() != null) {
                assertThat(world.acknowledged).as("delivered only after a 250 to its data").contains(id);
                assertThat(outcome.delivery().response()).isEqualTo("2.0.0 queued as " + id);
                totals.merge("delivered", 1, Integer::sum);
                continue;
            }
            SendmailException failure = outcome.failure();
            if (taken > 0) {
                assertThat(failure.isTransient()).as("a message the server took is not a transient failure: %s", failure)
                        .isFalse();
            }
            if (failure.isTransient()) {
                totals.merge("failed transient", 1, Integer::sum);
            } else if (failure.getCode() >= 500 || failure.getStatuses().stream().anyMatch(st -> st.code() >= 500)) {
                totals.merge("refused", 1, Integer::sum);
            } else {
                assertThat(world.writtenWhereTheServerWentSilent(id))
                        .as("not transient without a 5xx only where the server may hold it: %s", failure.getMessage())
                        .isTrue();
                assertThat(failure.getMessage()).contains("may have accepted it");
                totals.merge("may have accepted", 1, Integer::sum);
            }
        }
    }
}
