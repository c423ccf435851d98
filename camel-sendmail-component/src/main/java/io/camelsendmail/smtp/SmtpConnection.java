package io.camelsendmail.smtp;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection: the session ({@link SmtpSession}: greeting, EHLO, STARTTLS, AUTH, QUIT) and, once it is open,
 * the driver of its {@link TransactionPipeline}. The pipeline decides everything about the mail transactions without
 * a socket; this class moves the bytes: it flushes what the pipeline wrote, reads replies and hands them over, checks
 * that the server sends nothing unasked, and, when the connection fails, reads what the socket still holds before the
 * pipeline settles what is open.
 * <p>
 * Not thread-safe: one worker thread drives a connection.
 */
final class SmtpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    /** After a write failed, replies the socket still holds are read for at most this long before anything is settled. */
    private static final int DRAIN_MILLIS = 2000;

    private final SmtpSettings settings;
    private final String server;
    private final int id;
    private final long openedNanos = System.nanoTime();
    /** The opened session: its transport, and what the server offered. */
    private final SmtpSession session;
    private final SmtpTransport channel;
    private final TransactionPipeline pipeline;
    /** What the pipeline wrote and was not flushed yet. */
    private boolean unflushed;
    /** The transport failed, or the server broke the protocol: the connection is not used again. */
    private volatile boolean broken;

    private SmtpConnection(SmtpSettings settings, SmtpSession session, int id) {
        this.settings = settings;
        this.server = settings.server();
        this.session = session;
        this.id = id;
        this.channel = session.channel();
        this.pipeline = new TransactionPipeline(settings, id, session.extensions(), session.tls(), session.authenticated(),
                channel.output());
    }

    /**
     * Connects, reads the greeting, says EHLO, upgrades to TLS when offered, and signs in when credentials are set. A
     * bearer token the server refuses is reported to its source, and one more connection is tried with the next token.
     */
    static SmtpConnection open(SmtpSettings settings) throws SendmailException {
        return open(settings, SmtpChannel::connect);
    }

    static SmtpConnection open(SmtpSettings settings, SmtpTransport.Connector connector) throws SendmailException {
        for (int attempt = 1; ; attempt++) {
            int id = IDS.incrementAndGet();
            SmtpSession session = new SmtpSession(settings, id);
            try {
                session.open(connector);
                return new SmtpConnection(settings, session, id);
            } catch (SendmailException | RuntimeException e) {
                // a refusal (AUTH refused, TLS required and not offered) ends the conversation with QUIT, as RFC 5321
                // 4.1.1.10 asks; a broken session is closed without it
                session.close(0);
                String refused = session.refusedToken();
                // the token's source hears of every refusal; a second connection is tried where it may give another
                if (refused == null || !settings.tokens().refused(refused) || attempt == 2) {
                    throw e;
                }
                LOG.debug("Connection {} to {}: the server refused the access token; trying once more with a new one",
                        id, settings.server());
            }
        }
    }

    /** @return whether the server sent bytes while no reply was awaited: the connection is unusable (and now broken) */
    private boolean unsolicitedInput() {
        return pipeline.awaited() == 0 && unreadInput();
    }

    /** @return whether the server sent bytes that no reply has read (a failure to tell counts as yes, and breaks) */
    private boolean unreadInput() {
        try {
            if (channel.hasUnreadInput()) {
                broken = true;
                return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            broken = true;
            return true;
        }
    }

    /**
     * What the server sent while the connection was idle: a 421 is the server closing it (Postfix's idle timeout says
     * {@code 421 4.4.2 Error: timeout exceeded}), anything else a protocol violation. The connection is not used again
     * either way.
     */
    private void idleInput() {
        SmtpReply said;
        try {
            said = channel.readReply(Math.min(100, settings.timeout()));
        } catch (IOException | RuntimeException e) {
            said = null;
        }
        if (said != null && said.closing()) {
            LOG.debug("Connection {} to {} closed by the server while idle: {}", id, server, said.lines());
        } else {
            LOG.warn("{}; the message goes to another connection", protocolViolation("while the connection was idle").getMessage());
        }
    }

    private SendmailException protocolViolation(String when) {
        return new SmtpConnectException("SMTP server " + server + " sent data " + when
                                        + " that no command asked for: a protocol violation, every later reply would be "
                                        + "misread; the connection was closed",
                pipeline.step().name(), -1, true, null, null);
    }

    /** @return whether another transaction may be written now (see {@link TransactionPipeline#canBegin()}) */
    boolean canBegin() {
        return !broken && pipeline.canBegin();
    }

    /** @return whether replies are awaited (a transaction, an RSET or QUIT in flight), or commands wait to be flushed */
    boolean busy() {
        return pipeline.awaited() > 0 || unflushed;
    }

    /**
     * Writes the start of a transaction to the output buffer. Where the server sent something while nothing was
     * awaited, the connection is unusable and the message goes to another.
     */
    void begin(Job job) {
        if (unsolicitedInput()) {
            // nothing is in flight and the server sent something: every later reply would be misread
            idleInput();
            pipeline.notTaken(job);
            return;
        }
        pipeline.begin(job, openedBefore(job.submittedNanos));
        afterPipeline();
    }

    /**
     * Writes QUIT behind the last transactions where the server allows it pipelined, so that closing costs no round
     * trip of its own; nothing begins on this connection after it.
     */
    void quitWhenDone() {
        if (!broken && pipeline.quit()) {
            afterPipeline();
        }
    }

    /** What the pipeline did: bytes to flush, or the connection to end. */
    private void afterPipeline() {
        if (pipeline.takeWritten()) {
            unflushed = true;
        }
        TransactionPipeline.EndRequest end = pipeline.endRequest();
        if (end != null) {
            end(end.ending(), end.cause(), end.readable());
        }
    }

    /** Flushes what was written: the commands and messages of the transactions begun. */
    void flush() {
        if (!unflushed || isBroken()) {
            return;
        }
        try {
            unflushed = false;
            channel.flush();
        } catch (IOException | RuntimeException e) {
            end(Settlement.Ending.LOST, e, true);
        }
    }

    /** Reads one reply and gives it to the pipeline, which may write more and settle messages. */
    void readOne() {
        if (isBroken() || pipeline.awaited() == 0) {
            return;
        }
        SmtpReply reply;
        try {
            reply = channel.readReply();
        } catch (IOException | RuntimeException e) {
            end(Settlement.Ending.LOST, e, false);
            return;
        }
        SendmailException violation = null;
        if (pipeline.awaited() == 1 && !reply.closing() && unreadInput()) {
            // more than the last reply due: the server answered what was never asked, and later replies would be misread
            violation = protocolViolation("after its last awaited reply");
            pipeline.stopWriting(new IOException(violation.getMessage()));
        }
        pipeline.replied(reply);
        if (violation != null) {
            LOG.warn("{}", violation.getMessage());
            end(Settlement.Ending.LOST, violation, false);
            return;
        }
        afterPipeline();
    }

    /**
     * Answers a health probe on this idle connection with a NOOP, rather than a socket of its own: against a server
     * that limits connections (Microsoft 365's three), the probe takes none from the messages.
     */
    void noop(Job probe) {
        if (busy() || unsolicitedInput()) {
            // not idle after all, or the server said something unasked: the probe opens a connection of its own
            pipeline.settle(probe, null, new SmtpConnectException("connection " + id + " is not idle", "NOOP", -1, true, null, null));
            return;
        }
        try {
            SmtpReply reply = session.noop();
            if (reply.code() == 250) {
                pipeline.settle(probe, new Delivery(List.of(), reply.trimmedText()), null);
                return;
            }
            broken = true;
            pipeline.settle(probe, null, SmtpFailures.reply(SmtpStep.NOOP, reply.code(), reply.lines(), null, server));
        } catch (SendmailException e) {
            broken = true;
            pipeline.settle(probe, null, e);
        }
    }

    /** Settles whatever is still in flight as if the connection were lost, and breaks it. */
    void abandon() {
        if (pipeline.hasOpenTransactions()) {
            end(Settlement.Ending.LOST, new IOException("the connection's worker stopped before the server's replies came"),
                    false);
        }
    }

    /**
     * The connection ends: the pipeline settles every transaction still open by {@link Settlement}, once the replies
     * the socket still holds were given to it (where a write failed, the server may have answered before it went:
     * those answers count).
     *
     * @param ending   how it ended, as far as is known before the remaining replies are read
     * @param cause    what ended it: an I/O failure or a reply the conversation cannot go on with (null for a 421)
     * @param readable whether replies may still be read (a write failed, not a read)
     */
    private void end(Settlement.Ending ending, Exception cause, boolean readable) {
        if (pipeline.ended()) {
            return;
        }
        broken = true;
        if (ending == Settlement.Ending.LOST && readable) {
            ending = drain();
        }
        pipeline.end(ending, cause);
    }

    /**
     * Reads the replies that arrived before the connection failed, each handled as usual (nothing more can be
     * written), for at most {@link #DRAIN_MILLIS}.
     *
     * @return {@link Settlement.Ending#SERVER_CLOSING} where one of them was a 421, else {@link Settlement.Ending#LOST}
     */
    private Settlement.Ending drain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(DRAIN_MILLIS, settings.timeout()));
        while (pipeline.awaited() > 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            SmtpReply reply;
            try {
                reply = channel.readReply((int) left);
            } catch (IOException | RuntimeException e) {
                break;
            }
            pipeline.replied(reply);
            if (reply.closing()) {
                return Settlement.Ending.SERVER_CLOSING;
            }
        }
        return Settlement.Ending.LOST;
    }

    /** Completes the jobs whose outcome was decided: their routes go on. */
    void completeSettled() {
        pipeline.completeSettled();
    }

    /** Tells the pool what happened since it last asked (see {@link TransactionPipeline#report}). */
    void report(ConnectionEvents events) {
        pipeline.report(events);
    }

    /** @return a limit the server advertises with RFC 9422's LIMITS extension, 0 for none */
    int limit(String name) {
        return pipeline.limit(name);
    }

    /**
     * Closes the connection: where QUIT went with the last transactions and was answered, the socket is just closed;
     * else QUIT is sent and its reply awaited briefly; a broken connection is closed without it.
     */
    void close() {
        if (isBroken()) {
            abort();
        } else if (pipeline.quitAnswered()) {
            session.closeAfterQuit(transactions());
        } else {
            session.close(transactions());
        }
    }

    /** Closes the socket without a goodbye: the server may not be reading, and must not take a half-sent message. */
    void abort() {
        broken = true;
        session.abort(transactions());
    }

    /** @return whether the connection failed or the server is closing it: it must not carry another message */
    boolean isBroken() {
        return broken || pipeline.isBroken();
    }

    /** @return whether the connection takes no more transactions (the server refused RSET), though it is sound */
    boolean isRetiring() {
        return pipeline.isRetiring();
    }

    /** @return about one round trip to the server: the session's shortest EHLO exchange */
    long roundTripNanos() {
        return session.roundTripNanos();
    }

    /** @return whether this connection was opened before the given {@link System#nanoTime()} */
    boolean openedBefore(long nanoTime) {
        return openedNanos - nanoTime < 0;
    }

    /** @return nanoseconds since the connection was opened */
    long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /** @return how many messages this connection has been given */
    int transactions() {
        return pipeline.transactions();
    }

    /** @return nanoseconds since the connection last finished a message, or since it opened */
    long idleNanos() {
        return System.nanoTime() - pipeline.lastUsedNanos();
    }
}
