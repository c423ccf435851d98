package io.camelsendmail.smtp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import io.camelsendmail.SmtpDeliveryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's SMTP connections, and the queue of messages they carry. Each open connection has a worker thread that
 * takes messages from the queue as its window allows (several in flight where the server offers PIPELINING), writes
 * them, reads the replies, and completes each message's job; the route thread that submitted a message is free in the
 * meantime.
 * <ul>
 * <li>A connection is opened when messages wait and no connection is free, up to {@code maxConnections}, or fewer where
 * the server showed it allows fewer (a 421 at the greeting while others are open).</li>
 * <li>A connection that failed, or that the server is closing (421), carries nothing more. A message the server never
 * took (its MAIL FROM not accepted) goes back to the queue, for another connection; one whose MAIL FROM was accepted
 * fails, transient; one whose end of data may have reached the server fails, not transient. Nothing is sent twice.</li>
 * <li>A connection is closed (QUIT, off the route thread) after {@code maxMessagesPerConnection} messages, after
 * {@code idleTimeout} unused, and when the endpoint stops. A connection still closing counts against
 * {@code maxConnections}.</li>
 * <li>Near the end of a connection's life another one is opened in the background, where there is room, when its
 * remaining messages at its own pace would take less than half the idle timeout.</li>
 * <li>{@code maxMessagesPerSecond} paces the messages begun on all connections; a server that answers that the client
 * sends too fast slows the endpoint down for a while, and the message goes back to the queue.</li>
 * </ul>
 */
public final class SmtpConnectionPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnectionPool.class);
    /** How often an idle worker looks whether the endpoint stops. */
    private static final long IDLE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The longest a connection waits, before it writes the messages it has begun, for others that route threads are
     * preparing at that moment; never more than a quarter of its round trip, which is what the wait saves them.
     */
    private static final long GATHER_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** In a burst, how long after the last message came the connection still waits for another to start preparing. */
    private static final long BURST_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** A connection limit learned from the server holds this long. */
    private static final long LEARNED_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** A message goes back to the queue at most this often (a server that keeps closing would otherwise loop). */
    static final int MAX_REQUEUES = 5;

    private final SmtpSettings settings;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final Executor workers;
    private final Executor closer;
    private final Executor completions;
    private final Pace pace;
    private final long waitMillis;
    private final long idleNanos;
    /**
     * The one lock of the pool's state: the queue's hand-offs, the counts below, the idle workers, the learned limit.
     * Every event (submit, open, release, requeue, probe, close) takes it, and decides under it whom to wake.
     */
    private final Object lock = new Object();
    /** Sockets to the server: opening, open, closing (saying QUIT) or probing. At most maxConnections. */
    private int sockets;
    /** Held by the health check's probe while it runs. */
    private final Object probing = new Object();
    /** Messages route threads are preparing (composing, signing) for this pool, not submitted yet. */
    private int preparing;
    /** When the last message was queued ({@link System#nanoTime()}). */
    private long lastSubmitNanos;
    /** Workers alive: opening, or carrying messages. */
    private int running;
    /** Workers opening a connection: each will take a message once open. */
    private int opening;
    /** Workers with room for another message that will look at the queue before they wait for a reply. */
    private int available;
    /**
     * Workers waiting for a message, the most recently idle first: a message goes to the connection used last, so
     * that the fewest connections stay warm and the others reach their idle timeout.
     */
    private final ArrayDeque<Waiter> idle = new ArrayDeque<>();
    private boolean prewarming;
    private int learnedLimit = Integer.MAX_VALUE;
    /** The server's last word that the sending quota is used up, and when the pause it started ends. */
    private SmtpReply quotaReply;
    private long quotaUntilMillis;
    private long learnedUntil;
    private volatile boolean closed;
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong openFailures = new AtomicLong();

    /**
     * @param workers     runs one worker per connection
     * @param closer      says QUIT to connections that are done
     * @param completions completes the messages' exchanges, so that routes go on off the connections' threads
     */
    public SmtpConnectionPool(SmtpSettings settings, Executor workers, Executor closer, Executor completions) {
        this.settings = settings;
        this.workers = workers;
        this.closer = closer;
        this.completions = completions;
        this.pace = new Pace(settings.maxMessagesPerSecond());
        this.waitMillis = (long) settings.connectTimeout() + settings.timeout();
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.idleTimeout());
    }

    /**
     * A route thread begins preparing a message for this pool. A connection that is about to write the messages it
     * has begun waits briefly for it (a quarter of its round trip at most), so that messages sent together, as a poll
     * of Kafka records or a split sends them, leave in one write and take one round trip, not two. Each call is matched
     * by {@link #notPreparing()}, or by {@link #submit(OutgoingMessage, DeliveryCallback, boolean)} with true.
     */
    public void preparing() {
        synchronized (lock) {
            preparing++;
        }
    }

    /** The message announced by {@link #preparing()} will not be submitted. */
    public void notPreparing() {
        synchronized (lock) {
            // never below none: a count gone wrong must not hold connections back
            preparing = Math.max(0, preparing - 1);
            lock.notifyAll();
        }
    }

    /** Queues a message for the next free connection; {@code completion} hears of its delivery or failure. */
    public void submit(OutgoingMessage message, DeliveryCallback completion) {
        submit(message, completion, false);
    }

    /**
     * Queues a message for the next free connection; {@code completion} hears of its delivery or failure.
     *
     * @param prepared whether {@link #preparing()} announced it
     */
    public void submit(OutgoingMessage message, DeliveryCallback completion, boolean prepared) {
        if (prepared) {
            notPreparing();
        }
        Job job = new Job(message, completion, completions, settings.allowPartialDelivery());
        SendmailException paused = quotaPaused();
        if (paused != null) {
            job.fail(paused);
            return;
        }
        if (!offer(job, false)) {
            job.fail(stopped());
            return;
        }
        ensureWorker();
    }

    /**
     * Hands a message to the connection that was idle last, or queues it.
     *
     * @return false when the endpoint has stopped: under the same lock that {@link #close()} empties the queue under,
     *         so that no message is queued after it was emptied
     */
    private boolean offer(Job job, boolean first) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Waiter waiter = idle.pollFirst();
            if (waiter != null) {
                waiter.give(job);
            } else if (first) {
                queue.addFirst(job);
            } else {
                queue.addLast(job);
                lastSubmitNanos = System.nanoTime();
                // a connection waiting for the messages being prepared takes it before it writes
                lock.notifyAll();
            }
            return true;
        }
    }

    /** An idle worker's place in line for the next message. */
    private static final class Waiter {
        private Job job;

        synchronized void give(Job given) {
            this.job = given;
            notifyAll();
        }

        synchronized Job await(long nanos) throws InterruptedException {
            if (job == null) {
                TimeUnit.NANOSECONDS.timedWait(this, nanos);
            }
            return job;
        }

        synchronized Job taken() {
            return job;
        }
    }

    /** Opens a connection when more messages wait than free and opening connections will take, where there is room. */
    private void ensureWorker() {
        synchronized (lock) {
            int limit = limit();
            // a connection still saying QUIT counts: the server may not have let it go yet
            if (closed || queue.size() <= opening + available || sockets >= limit) {
                return;
            }
            running++;
            opening++;
            sockets++;
        }
        start(false);
    }

    /** Opens a connection ahead of need, where there is room and none is free. */
    private void prewarm() {
        synchronized (lock) {
            if (closed || prewarming || !idle.isEmpty() || sockets >= limit()) {
                return;
            }
            running++;
            opening++;
            sockets++;
            prewarming = true;
        }
        start(true);
    }

    /** The pool as it is now: connections open (idle or carrying messages), opening, and messages waiting. */
    public record State(int open, int idle, int opening, int queued, long opened, long openFailures) {
        public int busy() {
            return open - idle;
        }
    }

    public State state() {
        synchronized (lock) {
            return new State(running - opening, idle.size(), opening, queue.size(), opened.get(), openFailures.get());
        }
    }

    /**
     * Checks that the server can be reached and signed in to, without sending mail: a connection is opened (greeting,
     * EHLO, TLS, AUTH, as for messages) and closed with QUIT. Where every socket is in use the server is being
     * reached, and nothing is opened.
     *
     * @return whether a connection was opened for the check
     * @throws SendmailException why the server cannot be used
     */
    public boolean probe() throws SendmailException {
        // one probe at a time: two health checks of one endpoint (two routes' producers) asking together would each
        // find the other's socket taken and say "every connection is in use", whatever the server does
        synchronized (probing) {
            return probeOnce();
        }
    }

    /**
     * @return true when an idle connection answered a NOOP, false when none is idle (or the one that was could not
     *         answer): then a socket of the probe's own is needed
     */
    private boolean probeIdle() throws InterruptedException {
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        Job probe = Job.probe((delivery, failure) -> answered.complete(failure == null));
        // a connection that is open but settling its last message is idle a moment later: worth a short wait
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            synchronized (lock) {
                Waiter waiter = closed ? null : idle.pollFirst();
                if (waiter != null) {
                    waiter.give(probe);
                    break;
                }
                if (closed || sockets == 0 || System.nanoTime() - deadline > 0) {
                    return false;
                }
            }
            Thread.sleep(20);
        }
        try {
            return answered.get(settings.timeout() + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private boolean probeOnce() throws SendmailException {
        try {
            if (probeIdle()) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        synchronized (lock) {
            if (closed || sockets >= settings.maxConnections()) {
                return false;
            }
            sockets++;
        }
        try {
            SmtpConnection connection = SmtpConnection.open(settings);
            connection.close();
            return true;
        } finally {
            // a message submitted while the probe held the socket waits for it: wake a worker for it
            releaseSocket();
        }
    }

    /** A socket is gone (closed, or never opened): one more may be opened, for a message that waits. */
    private void releaseSocket() {
        synchronized (lock) {
            sockets--;
        }
        ensureWorker();
    }

    private int limit() {
        if (learnedLimit < Integer.MAX_VALUE && System.nanoTime() - learnedUntil > 0) {
            LOG.info("SMTP server {}: trying up to {} connections again (maxConnections)", settings.server(),
                    settings.maxConnections());
            learnedLimit = Integer.MAX_VALUE;
        }
        return Math.min(settings.maxConnections(), learnedLimit);
    }

    private void start(boolean ahead) {
        try {
            workers.execute(() -> work(ahead));
        } catch (RejectedExecutionException stopping) {
            synchronized (lock) {
                running--;
                opening--;
                sockets--;
                if (ahead) {
                    prewarming = false;
                }
            }
            failAll(stopped());
        }
    }

    private void work(boolean ahead) {
        SmtpConnection connection = null;
        try {
            connection = open(ahead);
            if (connection != null) {
                carry(connection);
            }
        } catch (RuntimeException e) {
            // carry() has settled the messages in flight and closed the connection
            LOG.warn("SMTP connection worker for {} failed: {}", settings.server(), e.toString(), e);
        } finally {
            synchronized (lock) {
                running--;
            }
            ensureWorker();
        }
    }

    /** @return an open connection, or null when it could not be opened (and the failure was dealt with) */
    private SmtpConnection open(boolean ahead) {
        SmtpConnection connection = null;
        SendmailException failure = null;
        try {
            connection = SmtpConnection.open(settings);
            opened.incrementAndGet();
        } catch (SendmailException e) {
            openFailures.incrementAndGet();
            failure = e;
        } catch (RuntimeException e) {
            openFailures.incrementAndGet();
            failure = new SmtpConnectException("could not open an SMTP connection to " + settings.server() + ": " + e,
                    "CONNECT", -1, true, null, e);
        }
        synchronized (lock) {
            opening--;
            if (ahead) {
                prewarming = false;
            }
            if (connection != null) {
                return connection;
            }
            sockets--;
            // other sockets are open or opening: the messages can go on those
            if (sockets > 0) {
                // the server takes no more connections than are open now (a 421 at the greeting, a refused connect):
                // the messages wait for those rather than fail, and no other is tried for a while
                learnedLimit = sockets;
                learnedUntil = System.nanoTime() + LEARNED_LIMIT_NANOS;
                LOG.info("SMTP server {}: another connection failed ({}); using {} connections for the next {} s",
                        settings.server(), failure.getMessage(), learnedLimit, TimeUnit.NANOSECONDS.toSeconds(LEARNED_LIMIT_NANOS));
                return null;
            }
        }
        if (!ahead) {
            // the message that asked for a connection reports why there is none
            Job job = queue.pollFirst();
            if (job != null) {
                job.fail(failure);
            }
        }
        return null;
    }

    /** Carries messages on one connection until it is used up, idle too long, broken, or the endpoint stops. */
    private void carry(SmtpConnection connection) {
        int maxMessages = settings.maxMessagesPerConnection();
        boolean retiring = false;
        boolean[] room = new boolean[1];
        // until when the messages begun and not yet written wait for those being prepared (0: none begun)
        long gatherUntil = 0;
        int begunUnwritten = 0;
        try {
            while (true) {
                while (!retiring && connection.canBegin()) {
                    Job job;
                    if (connection.busy()) {
                        job = takeOrGather(gatherUntil, begunUnwritten);
                    } else {
                        announce(room, false);
                        // a message refused before anything was written completes before this connection waits
                        connection.completeSettled();
                        job = waitForJob(connection);
                    }
                    if (job == null) {
                        break;
                    }
                    if (job.isProbe()) {
                        // handed to this idle connection by the health check
                        connection.noop(job);
                        connection.completeSettled();
                        continue;
                    }
                    SendmailException paused = quotaPaused();
                    if (paused != null) {
                        job.fail(paused);
                        continue;
                    }
                    long wait = pace.reserve();
                    if (wait > 0) {
                        // replies of the transactions in flight wait in the socket meanwhile
                        connection.flush();
                        sleep(wait);
                    }
                    connection.begin(job);
                    begunUnwritten++;
                    if (gatherUntil == 0) {
                        gatherUntil = System.nanoTime() + Math.min(GATHER_MAX_NANOS, connection.roundTripNanos() / 4);
                    }
                    int mailMax = connection.limit("MAILMAX");
                    if (connection.transactions() >= maxMessages || mailMax > 0 && connection.transactions() >= mailMax) {
                        retiring = true;
                    } else if (nearItsEnd(connection)) {
                        prewarm();
                    }
                }
                if (retiring) {
                    // its last transactions are written: QUIT goes with them where the server allows it
                    connection.quitWhenDone();
                }
                connection.completeSettled();
                if (!connection.busy() && (retiring || closed || connection.isBroken() || connection.isRetiring()
                                           || connection.idleNanos() >= idleNanos || Thread.currentThread().isInterrupted())) {
                    break;
                }
                announce(room, false);
                connection.flush();
                gatherUntil = 0;
                begunUnwritten = 0;
                connection.readOne();
                connection.report(events);
                // ready for more before the routes of the messages just settled go on, so none opens a connection for nothing
                announce(room, !retiring && connection.canBegin());
                connection.completeSettled();
                if (connection.isBroken()) {
                    break;
                }
            }
        } finally {
            announce(room, false);
            // nothing in flight is left without an outcome, however the loop ended
            connection.abandon();
            connection.report(events);
            connection.completeSettled();
            retire(connection);
        }
    }

    /** What the connections report, each once its worker is ready to hear it. */
    private final ConnectionEvents events = new ConnectionEvents() {
        @Override
        public void notTaken(List<Job> jobs) {
            requeue(jobs);
        }

        @Override
        public void recipientsLeft(List<Job> jobs) {
            resume(jobs);
        }

        @Override
        public void tooFast() {
            pace.slowDown(settings.server());
        }

        @Override
        public void tooManyConnections() {
            connectionsLimited();
        }

        @Override
        public void quotaUsedUp(SmtpReply reply) {
            quotaExhausted(reply);
        }
    };

    /** Counts this worker as having room for a message it will take from the queue, or not. */
    private void announce(boolean[] room, boolean now) {
        if (room[0] != now) {
            synchronized (lock) {
                available += now ? 1 : -1;
            }
            room[0] = now;
        }
    }

    /**
     * The next queued message, for a connection with messages begun and not yet written. Where none is queued and route
     * threads are preparing messages, it waits for them until {@code gatherUntil}: a burst then leaves in one write.
     *
     * @return the message, or null to write what was begun and read replies
     */
    private Job takeOrGather(long gatherUntil, int begun) {
        synchronized (lock) {
            while (true) {
                Job job = queue.pollFirst();
                if (job != null || gatherUntil == 0 || closed) {
                    return job;
                }
                long now = System.nanoTime();
                long until = gatherUntil;
                if (preparing <= 0) {
                    // none being prepared: in a burst (two begun already), one more may be just about to start
                    until = begun >= 2 ? Math.min(gatherUntil, lastSubmitNanos + BURST_QUIET_NANOS) : now;
                }
                long left = until - now;
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    // the endpoint stops its workers: the loop that called this ends, with the interrupt kept
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Waits for a message while nothing is in flight: null after the idle timeout, or when the endpoint stops. */
    private Job waitForJob(SmtpConnection connection) {
        Waiter waiter = new Waiter();
        synchronized (lock) {
            Job job = queue.pollFirst();
            if (job != null) {
                return job;
            }
            if (connection.transactions() == 0) {
                // opened ahead: a standby, after the connections already carrying messages
                idle.addLast(waiter);
            } else {
                idle.addFirst(waiter);
            }
        }
        try {
            while (!closed) {
                long left = idleNanos - connection.idleNanos();
                Job job = left > 0 ? waiter.await(Math.min(left, IDLE_SLICE_NANOS)) : null;
                if (job != null && job.isProbe()) {
                    // the health check asks this idle connection: answered here, and idle again before the answer is
                    // heard, so that a message sent right after finds this connection and opens none
                    connection.noop(job);
                    boolean sound = !connection.isBroken();
                    synchronized (lock) {
                        waiter = new Waiter();
                        if (sound && !closed) {
                            idle.addFirst(waiter);
                        }
                    }
                    connection.completeSettled();
                    if (!sound) {
                        return null;
                    }
                    continue;
                }
                if (job != null) {
                    return job;
                }
                if (left <= 0) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            // the endpoint stops its workers: this one ends, with the interrupt kept for the loop that called it
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            idle.remove(waiter);
        }
        // a message handed over at the last moment is still this worker's
        return waiter.taken();
    }

    /**
     * Past half its messages, and its remaining messages at its own pace so far would take less than half the idle
     * timeout: a replacement opened now is used before it would be closed unused.
     */
    private boolean nearItsEnd(SmtpConnection connection) {
        int used = connection.transactions();
        int maxMessages = settings.maxMessagesPerConnection();
        if (maxMessages < 2 || used < maxMessages / 2) {
            return false;
        }
        long remainingNanos = connection.ageNanos() / Math.max(1, used) * (maxMessages - used);
        return remainingNanos < idleNanos / 2;
    }

    /**
     * Messages a transaction delivered to some recipients, with more left (too many for one transaction): to the front
     * of the queue, so that this connection, as soon as it has room, or another, carries the rest next.
     */
    private void resume(List<Job> jobs) {
        for (int i = jobs.size() - 1; i >= 0; i--) {
            Job job = jobs.get(i);
            if (!job.isDone() && !offer(job, true)) {
                job.fail(stopped());
            }
        }
        if (!jobs.isEmpty()) {
            ensureWorker();
        }
    }

    /**
     * The server refused a message for too many connections from this client: it takes no more than the others open
     * now, for a while (the connection that was refused retires).
     */
    private void connectionsLimited() {
        synchronized (lock) {
            learnedLimit = Math.max(1, Math.min(learnedLimit, sockets - 1));
            learnedUntil = System.nanoTime() + LEARNED_LIMIT_NANOS;
            LOG.info("SMTP server {} takes no more connections from this client: using {} for the next {} s",
                    settings.server(), learnedLimit, TimeUnit.NANOSECONDS.toSeconds(LEARNED_LIMIT_NANOS));
        }
    }

    /**
     * The sender's sending quota is used up: for {@code quotaPause} no message begins, and those waiting fail now,
     * transient, with the server's words, so that the route's redelivery or dead letter decides.
     */
    private void quotaExhausted(SmtpReply reply) {
        List<Job> waiting;
        synchronized (lock) {
            quotaReply = reply;
            quotaUntilMillis = System.currentTimeMillis() + settings.quotaPause();
            waiting = new ArrayList<>(queue);
            queue.clear();
        }
        LOG.warn("SMTP server {} says the sending quota is used up ({} {}): no message begins for {} ms; {} waiting "
                 + "fail as transient", settings.server(), reply.code(), reply.text(), settings.quotaPause(), waiting.size());
        SendmailException paused = quotaPaused();
        for (Job job : waiting) {
            job.fail(paused != null ? paused : SmtpFailures.quota(SmtpStep.MAIL, reply, null, settings.server()));
        }
    }

    /** @return the failure of a message submitted while the quota pause lasts, or null when it does not */
    private SendmailException quotaPaused() {
        SmtpReply reply;
        long until;
        synchronized (lock) {
            reply = quotaReply;
            until = quotaUntilMillis;
        }
        if (reply == null || System.currentTimeMillis() >= until) {
            return null;
        }
        return new SmtpDeliveryException("SMTP server " + settings.server() + " said the sending quota is used up ("
                                         + reply.code() + " " + reply.text() + "); no message begins until "
                                         + java.time.Instant.ofEpochMilli(until) + " (quotaPause); nothing was sent",
                "MAIL", reply.code(), true, null, null);
    }

    /** @return why no message begins now (the server's words about the quota, and until when), or null */
    public String quotaPause() {
        SendmailException paused = quotaPaused();
        return paused == null ? null : paused.getMessage();
    }

    /** Messages the server never took: back to the front of the queue, in order, for another connection. */
    private void requeue(List<Job> jobs) {
        for (int i = jobs.size() - 1; i >= 0; i--) {
            Job job = jobs.get(i);
            if (job.isDone()) {
                continue;
            }
            if (++job.requeued > MAX_REQUEUES) {
                job.fail(new SmtpConnectException("SMTP server " + settings.server() + " closed " + MAX_REQUEUES
                                                  + " connections before it took the message; it was not sent",
                        "MAIL", -1, true, null, null));
            } else if (!offer(job, true)) {
                job.fail(stopped());
            }
        }
        ensureWorker();
    }

    /** QUIT off this thread; a broken connection is closed at once. The socket's permit returns when it is closed. */
    private void retire(SmtpConnection connection) {
        if (connection.isBroken()) {
            connection.abort();
            releaseSocket();
            return;
        }
        try {
            closer.execute(() -> {
                try {
                    connection.close();
                } finally {
                    // a message may wait for this socket to be gone
                    releaseSocket();
                }
            });
        } catch (RejectedExecutionException stopping) {
            try {
                connection.close();
            } finally {
                releaseSocket();
            }
        }
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SendmailException stopped() {
        return new SmtpConnectException("the sendmail: endpoint for " + settings.server()
                                        + " stopped before the message was sent; nothing was sent",
                "CONNECT", -1, true, null, null);
    }

    private void failAll(SendmailException failure) {
        List<Job> failed;
        synchronized (lock) {
            failed = List.copyOf(queue);
            queue.clear();
        }
        failed.forEach(job -> job.fail(failure));
    }

    /**
     * Stops taking messages, lets the transactions in flight finish, and closes every connection with QUIT. Messages
     * still queued (a route stopped without waiting for its exchanges) fail, transient: nothing of them was sent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        failAll(stopped());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        synchronized (lock) {
            while (running > 0 && System.nanoTime() - deadline < 0) {
                try {
                    lock.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
