package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection: the greeting, EHLO, STARTTLS and AUTH when it opens, then mail transactions.
 * <p>
 * Every command is a named {@link SmtpStep}, checked by {@link TransportSecurity} before it is written, and queued as a
 * pending reply with the handler its reply runs; replies are read in order and each completes the oldest pending one.
 * Pipelining (RFC 2920) is several commands written before their replies are read, and several transactions in flight
 * are just more of them:
 * <ul>
 * <li>With PIPELINING, MAIL FROM, the RCPTs and DATA go in one write; once DATA is answered 354, the message, its dot,
 * and the next message's MAIL FROM, RCPTs and DATA go in the next: one round trip a message.</li>
 * <li>With PIPELINING and CHUNKING, whole transactions ({@code MAIL}, {@code RCPT}, {@code BDAT <size> LAST} and the
 * message) are written without waiting, up to {@code maxInFlight} of them.</li>
 * <li>With CHUNKING alone, a message held in memory goes as one {@code BDAT <size> LAST} after its RCPTs.</li>
 * <li>Without PIPELINING, one command at a time.</li>
 * </ul>
 * Not thread-safe: one worker thread drives a connection.
 */
final class SmtpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
    /** Every command and reply, with {@code wireLog=true}; AUTH payloads are masked. */
    private static final Logger WIRE = LoggerFactory.getLogger("io.camelsendmail.smtp.wire");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final byte[] CRLF = { '\r', '\n' };
    private static final byte[] END_OF_DATA = { '.', '\r', '\n' };
    /** After a write failed, replies the socket still holds are read for at most this long before anything is settled. */
    private static final int DRAIN_MILLIS = 2000;

    private final SmtpSettings settings;
    private final String server;
    private final int id;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final long openedNanos = System.nanoTime();
    /** The opened session: its transport, and what the server offered. */
    private final SmtpSession session;
    private final SmtpTransport channel;
    private final Map<String, String> extensions;
    private SmtpStep step = SmtpStep.MAIL;
    private boolean unflushed;
    /** The transactions written and not yet answered in full, oldest first. */
    private final ArrayDeque<Transaction> inFlight = new ArrayDeque<>();
    /** Jobs of transactions the server never took, for another connection. */
    private final List<Job> retries = new ArrayList<>();
    /** Jobs a transaction delivered to some of their recipients, with others left for a transaction of their own. */
    private final List<Job> continued = new ArrayList<>();
    /** Outcomes decided since the worker last asked: completed once the worker is ready for more messages. */
    private final List<Runnable> settled = new ArrayList<>();
    /** The last transaction ended in a refusal the server may still hold state for: RSET before the next MAIL. */
    private boolean needsReset;
    /** The server said the client sends too fast, since the pool last asked. */
    private boolean rateLimited;
    /** The server refused a message for too many connections from this client. */
    private boolean connectionLimited;
    /** The server's reply that the sender's sending quota is used up, not yet taken by the pool. */
    private SmtpReply quota;
    private volatile boolean broken;
    /** A write failed: nothing more can be written, and replies may still be read. */
    private IOException outputFailure;
    /** The connection is being ended: its transactions are being settled. */
    private boolean settling;
    /** The server refused an RSET: the transactions in flight finish, and no other begins on this connection. */
    private boolean retiring;
    private volatile int transactions;
    private volatile long lastUsedNanos = openedNanos;

    /** A command written whose reply has not been read yet, and what its reply does (null: a caller awaits it). */
    private static final class Pending {
        final SmtpStep step;
        final Transaction transaction;
        final ReplyHandler handler;
        SmtpReply reply;

        Pending(SmtpStep step, Transaction transaction, ReplyHandler handler) {
            this.step = step;
            this.transaction = transaction;
            this.handler = handler;
        }
    }

    @FunctionalInterface
    private interface ReplyHandler {
        void handle(SmtpReply reply) throws SendmailException;
    }

    /** A write that failed once the connection carries transactions: it ends the connection, after its replies. */
    private static final class OutputFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputFailed(IOException cause) {
            super(cause);
        }

        IOException io() {
            return (IOException) getCause();
        }
    }

    private SmtpConnection(SmtpSettings settings, SmtpSession session, int id) {
        this.settings = settings;
        this.server = settings.server();
        this.session = session;
        this.id = id;
        this.channel = session.channel();
        this.extensions = session.extensions();
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
        try {
            if (pending.isEmpty() && channel.hasUnreadInput()) {
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
                step.name(), -1, true, null, null);
    }

    /**
     * @return whether another transaction may be written now: the connection is sound, the window has room, and every
     *         transaction in flight has written its message (nothing may follow a DATA still waiting for its 354, nor
     *         interleave with an envelope still being answered one command at a time)
     */
    boolean canBegin() {
        if (broken || retiring || inFlight.size() >= window()) {
            return false;
        }
        for (Transaction transaction : inFlight) {
            if (!transaction.finalWritten) {
                return false;
            }
        }
        return true;
    }

    /** Transactions that may be in flight together: with PIPELINING, maxInFlight; else one. */
    private int window() {
        return extensions.containsKey("PIPELINING") ? settings.maxInFlight() : 1;
    }

    /** @return whether replies are awaited (a transaction or an RSET in flight), or commands wait to be flushed */
    boolean busy() {
        return !pending.isEmpty() || unflushed;
    }

    /**
     * Writes the start of a transaction to the output buffer: its envelope, and with pipelined chunking all of it. A
     * refusal decided before anything is written (SIZE, SMTPUTF8, TLS or AUTH required) fails the job at once.
     */
    void begin(Job job) {
        if (unsolicitedInput()) {
            // nothing is in flight and the server sent something: every later reply would be misread
            idleInput();
            retries.add(job);
            return;
        }
        transactions++;
        lastUsedNanos = System.nanoTime();
        if (transactions > 1) {
            LOG.debug("Connection {} to {} reused for its message {}", id, server, transactions);
        }
        OutgoingMessage message = job.message;
        String mailFrom;
        try {
            mailFrom = mailFrom(message);
            SendmailException refusal = settings.security().beforeCommand(SmtpStep.MAIL, session.tls(), session.authenticated(), server);
            if (refusal != null) {
                throw refusal;
            }
        } catch (SendmailException e) {
            settle(job, null, e);
            return;
        }
        Transaction tx = new Transaction(job, openedBefore(job.submittedNanos),
                job.take(recipientLimit(), limit("RCPTDOMAINMAX")));
        boolean pipelining = extensions.containsKey("PIPELINING");
        byte[] bytes = message.bytes();
        boolean partial = settings.allowPartialDelivery();
        if (pipelining && extensions.containsKey("CHUNKING") && settings.maxInFlight() > 1 && bytes != null && partial) {
            tx.mode = Mode.PIPELINED_CHUNK;
        } else if (pipelining) {
            tx.mode = Mode.PIPELINED_DATA;
        } else if (extensions.containsKey("CHUNKING") && bytes != null) {
            tx.mode = Mode.CHUNK;
        } else {
            tx.mode = Mode.DATA;
        }
        inFlight.add(tx);
        try {
            if (needsReset || tx.mode == Mode.PIPELINED_CHUNK && inFlight.size() > 1) {
                // a transaction before this one may end in a refusal whose state the server still holds
                needsReset = false;
                write(SmtpStep.RSET, "RSET", tx, this::resetReplied);
            }
            write(SmtpStep.MAIL, mailFrom, tx, reply -> mailReplied(tx, reply));
            if (!tx.mode.pipelined) {
                return;
            }
            for (String recipient : tx.recipients) {
                write(SmtpStep.RCPT, rcptTo(message, recipient), tx, reply -> rcptReplied(tx, recipient, reply));
            }
            if (tx.mode == Mode.PIPELINED_CHUNK) {
                chunk(tx, bytes);
            } else if (partial) {
                write(SmtpStep.DATA, "DATA", tx, reply -> dataReplied(tx, reply));
            }
        } catch (OutputFailed e) {
            end(Settlement.Ending.LOST, e.io(), true);
        } catch (SendmailException e) {
            end(Settlement.Ending.LOST, e, true);
        }
    }

    /**
     * The reply to an RSET. A 421 is the server closing, which {@link #dispatch} deals with for every reply; any other
     * refusal leaves the server's state unknown: what is in flight is answered, and nothing more begins here.
     */
    private void resetReplied(SmtpReply reply) {
        if (reply.code() != 250 && !reply.closing()) {
            LOG.warn("SMTP server {} refused RSET ({}): the connection carries no more messages", server, reply.lines());
            retiring = true;
        }
    }

    /** Flushes what was written: the commands and messages of the transactions begun. */
    void flush() {
        if (!unflushed || broken) {
            return;
        }
        try {
            unflushed = false;
            channel.flush();
        } catch (IOException | RuntimeException e) {
            end(Settlement.Ending.LOST, e, true);
        }
    }

    /** Reads one reply and runs its handler, which may write more and settle jobs. */
    void readOne() {
        if (broken || pending.isEmpty()) {
            return;
        }
        step = pending.peekFirst().step;
        SmtpReply reply;
        try {
            reply = channel.readReply();
        } catch (IOException | RuntimeException e) {
            end(Settlement.Ending.LOST, e, false);
            return;
        }
        try {
            dispatch(reply);
        } catch (OutputFailed e) {
            end(Settlement.Ending.LOST, e.io(), true);
            return;
        } catch (SendmailException e) {
            end(Settlement.Ending.LOST, e, true);
            return;
        } catch (RuntimeException e) {
            end(Settlement.Ending.LOST, e, false);
            return;
        }
        if (reply.closing()) {
            end(Settlement.Ending.SERVER_CLOSING, null, false);
        } else if (unsolicitedInput()) {
            SendmailException violation = protocolViolation("after its last awaited reply");
            LOG.warn("{}", violation.getMessage());
            end(Settlement.Ending.LOST, violation, false);
        }
    }

    /** Gives a reply to the oldest command waiting for one, and runs what that reply does. */
    private void dispatch(SmtpReply reply) throws SendmailException {
        wire("S: {}", reply.lines());
        Pending next = pending.removeFirst();
        next.reply = reply;
        if (Pace.tooFast(reply)) {
            rateLimited = true;
        }
        if (next.handler != null) {
            next.handler.handle(reply);
        }
    }

    /**
     * Answers a health probe on this idle connection with a NOOP, rather than a socket of its own: against a server
     * that limits connections (Microsoft 365's three), the probe takes none from the messages.
     */
    void noop(Job probe) {
        if (busy() || unsolicitedInput()) {
            // not idle after all, or the server said something unasked: the probe opens a connection of its own
            settle(probe, null, new SmtpConnectException("connection " + id + " is not idle", "NOOP", -1, true, null, null));
            return;
        }
        try {
            SmtpReply reply = session.noop();
            if (reply.code() == 250) {
                settle(probe, new Delivery(List.of(), reply.trimmedText()), null);
                return;
            }
            broken = true;
            settle(probe, null, SmtpFailures.reply(SmtpStep.NOOP, reply.code(), reply.lines(), null, server));
        } catch (SendmailException e) {
            broken = true;
            settle(probe, null, e);
        }
    }

    /** Settles whatever is still in flight as if the connection were lost, and breaks it. */
    void abandon() {
        if (!inFlight.isEmpty()) {
            end(Settlement.Ending.LOST, new IOException("the connection's worker stopped before the server's replies came"),
                    false);
        }
    }

    private String mailFrom(OutgoingMessage message) throws SendmailException {
        StringBuilder command = new StringBuilder("MAIL FROM:<").append(message.sender()).append('>');
        if (message.needsSmtpUtf8()) {
            if (!extensions.containsKey("SMTPUTF8")) {
                throw SmtpFailures.refusedLocally("the envelope has a non-ASCII address and the SMTP server " + server
                                                  + " does not offer SMTPUTF8; MAIL FROM was not sent");
            }
            command.append(" SMTPUTF8");
        }
        Dsn dsn = message.dsn();
        if (dsn != null) {
            if (extensions.containsKey("DSN")) {
                command.append(dsn.mailParameters());
            } else if (settings.dsnRequired() && dsn.asked()) {
                throw SmtpFailures.refusedLocally("the message asks for delivery status notifications and the SMTP server "
                                                  + server + " does not offer DSN; MAIL FROM was not sent (set "
                                                  + "dsnRequired=false to send without them)");
            }
        }
        String size = extensions.get("SIZE");
        if (size != null) {
            long limit = sizeLimit(size);
            if (limit > 0 && message.size() > limit) {
                throw SmtpFailures.refusedLocally("the message is " + message.size() + " bytes and the SMTP server " + server
                                                  + " accepts at most " + limit + " (SIZE); MAIL FROM was not sent");
            }
            command.append(" SIZE=").append(message.size());
        }
        return command.toString();
    }

    private String rcptTo(OutgoingMessage message, String recipient) {
        Dsn dsn = message.dsn();
        return "RCPT TO:<" + recipient + ">" + (dsn != null && extensions.containsKey("DSN") ? dsn.rcptParameters(recipient) : "");
    }

    private void mailReplied(Transaction tx, SmtpReply reply) throws SendmailException {
        tx.mailReply = reply;
        if (reply.closing()) {
            refuse(tx, SmtpStep.MAIL, reply, false);
        } else if (!tx.mode.pipelined) {
            if (reply.code() != 250) {
                refuse(tx, SmtpStep.MAIL, reply, true);
            } else {
                nextRecipient(tx);
            }
        }
    }

    /** Without PIPELINING: the next RCPT, or the end of the envelope. */
    private void nextRecipient(Transaction tx) throws SendmailException {
        int next = tx.replied;
        if (next < tx.recipients.size()) {
            String recipient = tx.recipients.get(next);
            write(SmtpStep.RCPT, rcptTo(tx.job.message, recipient), tx, reply -> rcptReplied(tx, recipient, reply));
        } else {
            envelopeDone(tx);
        }
    }

    private void rcptReplied(Transaction tx, String recipient, SmtpReply reply) throws SendmailException {
        if (reply.closing()) {
            refuse(tx, SmtpStep.RCPT, reply, false);
            return;
        }
        tx.replied++;
        if (tooManyRecipients(reply) && tx.statuses.stream().anyMatch(RecipientStatus::accepted)) {
            // RFC 5321 4.5.3.1.10: the ones accepted get the message now, the rest in a transaction of their own
            tx.overflow.add(recipient);
        } else {
            tx.statuses.add(new RecipientStatus(recipient, reply.code(), reply.text()));
        }
        if (!tx.mode.pipelined) {
            nextRecipient(tx);
        } else if (tx.replied == tx.recipients.size() && tx.mode == Mode.PIPELINED_DATA
                   && !settings.allowPartialDelivery()) {
            // DATA waited for every RCPT reply
            envelopeDone(tx);
        }
    }

    /** Every envelope reply is in and DATA was not sent with them: refuse, or go on with DATA or BDAT. */
    private void envelopeDone(Transaction tx) throws SendmailException {
        if (envelopeRefused(tx, true)) {
            return;
        } else if (tx.mode == Mode.CHUNK) {
            chunk(tx, tx.job.message.bytes());
        } else {
            write(SmtpStep.DATA, "DATA", tx, reply -> dataReplied(tx, reply));
        }
    }

    /**
     * @param reset whether an RSET should follow a refusal (not where the server is owed nothing more)
     * @return whether the transaction ended here, refused: MAIL FROM refused, or no recipient accepted, or (with
     *         allowPartialDelivery=false) one refused
     */
    private boolean envelopeRefused(Transaction tx, boolean reset) throws SendmailException {
        if (tx.mailReply.code() != 250) {
            // the RCPT replies only echo the refused MAIL FROM
            tx.statuses.clear();
            tx.overflow.clear();
            refuse(tx, SmtpStep.MAIL, tx.mailReply, reset);
            return true;
        }
        List<RecipientStatus> refused = tx.statuses.stream().filter(s -> !s.accepted()).toList();
        if (refused.isEmpty()) {
            return false;
        }
        LOG.warn("SMTP server {} refused {} of {} recipients of a message from {}: {}", server, refused.size(),
                tx.statuses.size(), tx.job.message.sender(),
                refused.stream().map(RecipientStatus::toString).collect(Collectors.joining("; ")));
        boolean partial = settings.allowPartialDelivery();
        if (refused.size() == tx.statuses.size() || !partial) {
            conclude(tx, SmtpFailures.recipientsRefused(tx.statuses, partial, server), reset);
            return true;
        }
        return false;
    }

    private void dataReplied(Transaction tx, SmtpReply reply) throws SendmailException {
        if (reply.closing()) {
            refuse(tx, SmtpStep.DATA, reply, false);
            return;
        }
        if (tx.mode == Mode.PIPELINED_DATA && settings.allowPartialDelivery()) {
            boolean accepted = tx.mailReply.code() == 250 && tx.statuses.stream().anyMatch(RecipientStatus::accepted);
            if (reply.code() == 354 && !accepted) {
                // the server waits for a message it has no recipient for: the connection is ended, nothing is sent
                broken = true;
            }
            if (envelopeRefused(tx, true)) {
                return;
            }
        }
        if (reply.code() != 354) {
            refuse(tx, SmtpStep.DATA, reply, true);
            return;
        }
        content(tx);
    }

    /** The message, dot-stuffed, and the final dot, into the output buffer: they leave with what is written next. */
    private void content(Transaction tx) throws SendmailException {
        if (outputFailure != null) {
            throw new OutputFailed(outputFailure);
        }
        if (unsolicitedInput()) {
            // it would be read as the reply to the end of this message's data
            throw protocolViolation("after its 354, before the message");
        }
        step = SmtpStep.CONTENT;
        tx.contentStarted = true;
        OutgoingMessage message = tx.job.message;
        try {
            OutputStream out = channel.output();
            message.writeTo(new DotStuffingOutputStream(out));
            out.write(END_OF_DATA);
        } catch (IOException e) {
            // the final dot never reached the buffer: the server cannot have the message
            throw outputFailed(e);
        }
        tx.finalWritten = true;
        wire("C: <{} bytes of message data>", message.size());
        wire("C: .");
        unflushed = true;
        pending.add(new Pending(SmtpStep.DATA_END, tx, reply -> endReplied(tx, reply)));
    }

    /** {@code BDAT <size> LAST} and the message, into the output buffer. */
    private void chunk(Transaction tx, byte[] bytes) throws SendmailException {
        // BDAT ... LAST carries the whole message: its reply is the reply to the end of the data
        write(SmtpStep.DATA_END, "BDAT " + bytes.length + " LAST", tx, reply -> endReplied(tx, reply));
        step = SmtpStep.CONTENT;
        tx.contentStarted = true;
        try {
            channel.write(bytes);
        } catch (IOException e) {
            throw outputFailed(e);
        }
        tx.finalWritten = true;
        wire("C: <{} bytes of message data>", bytes.length);
    }

    private void endReplied(Transaction tx, SmtpReply reply) throws SendmailException {
        if (tx.mode == Mode.PIPELINED_CHUNK && !reply.closing() && envelopeRefused(tx, true)) {
            // the chunk went with the envelope, and the server refused it for want of a sender or a recipient
            return;
        }
        if (reply.code() != 250) {
            // a refused BDAT may leave the transaction open on the server; the reply to the dot ends it
            refuse(tx, SmtpStep.DATA_END, reply, tx.mode == Mode.CHUNK || tx.mode == Mode.PIPELINED_CHUNK);
            return;
        }
        tx.job.giveBack(tx.overflow);
        Delivery delivery = tx.job.taken(List.copyOf(tx.statuses), reply.trimmedText());
        if (delivery != null) {
            settle(tx.job, delivery, null);
        } else {
            // recipients are left: the same message again, in a transaction of its own, next
            continued.add(tx.job);
        }
        finish(tx);
    }

    /** A 452 to RCPT that says there are too many recipients (4.5.3), not that the server is short of storage. */
    private static boolean tooManyRecipients(SmtpReply reply) {
        if (reply.code() != 452) {
            return false;
        }
        String text = reply.text().toLowerCase(java.util.Locale.ROOT);
        return text.startsWith("4.5.3") || text.contains("too many recipients");
    }

    /** @return the most recipients a transaction may have: maxRecipientsPerMessage or LIMITS RCPTMAX, 0 for any */
    private int recipientLimit() {
        int own = settings.maxRecipientsPerMessage();
        int server = limit("RCPTMAX");
        return own <= 0 ? server : server <= 0 ? own : Math.min(own, server);
    }

    /** @return a limit the server advertises with RFC 9422's LIMITS extension ({@code LIMITS RCPTMAX=100 MAILMAX=50}), 0 for none */
    int limit(String name) {
        String limits = extensions.get("LIMITS");
        if (limits == null) {
            return 0;
        }
        for (String pair : limits.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase(name)) {
                try {
                    return Math.max(0, Integer.parseInt(pair.substring(eq + 1)));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * A refusal of this transaction at the step the server answered: its job fails with the server's reply (or, where
     * nothing of it was taken, it goes back to the queue).
     *
     * @param reset whether an RSET should follow before the next transaction
     */
    private void refuse(Transaction tx, SmtpStep at, SmtpReply reply, boolean reset) throws SendmailException {
        if (at != SmtpStep.RCPT && Pace.tooManyConnections(reply) && tx.job.requeued < SmtpConnectionPool.MAX_REQUEUES) {
            // the server takes no more connections from this client at once: this one retires, its message waits for
            // one of the others, and the pool opens no more than those
            connectionLimited = true;
            retiring = true;
            if (reply.closing()) {
                broken = true;
            }
            LOG.info("SMTP server {} refused a message for too many connections ({}): the connection is retired",
                    server, reply.lines());
            retry(tx);
            if (reset && !broken) {
                needsReset = true;
            }
            return;
        }
        if (at != SmtpStep.RCPT && Pace.quotaExhausted(reply)) {
            // the sender's quota for the day: the message is not at fault and will go once it resets
            quota = reply;
            conclude(tx, SmtpFailures.quota(at, reply, tx.statuses, server), reset);
            return;
        }
        if (reply.closing()) {
            broken = true;
            if (at == SmtpStep.MAIL && tx.retriable()) {
                // a connection the server closed while it sat idle: nothing of the message was taken
                retry(tx);
                return;
            }
        }
        if (at == SmtpStep.MAIL) {
            tx.statuses.clear();
        }
        if (Pace.tooFast(reply) && at != SmtpStep.RCPT && tx.job.requeued < SmtpConnectionPool.MAX_REQUEUES) {
            // the server refused the whole message for the pace, not for what it is: again, once the endpoint slowed down
            retry(tx);
            if (reset && !broken) {
                needsReset = true;
            }
            return;
        }
        conclude(tx, SmtpFailures.reply(at, reply.code(), reply.lines(), tx.statuses, server), reset);
    }

    /**
     * Fails the transaction's job. Where an RSET should follow and nothing else is in flight, it is sent first and the
     * job fails when it is answered, so that the connection is ready for the next message by then.
     */
    private void conclude(Transaction tx, SendmailException failure, boolean reset) throws SendmailException {
        if (!reset || broken) {
            fail(tx, failure);
            finish(tx);
        } else if (inFlight.size() > 1 || inFlight.peekFirst() != tx) {
            needsReset = true;
            fail(tx, failure);
            finish(tx);
        } else {
            tx.outcome = failure;
            write(SmtpStep.RSET, "RSET", tx, reply -> {
                if (reply.code() != 250) {
                    broken = true;
                }
                fail(tx, failure);
                finish(tx);
            });
        }
    }

    private void finish(Transaction tx) {
        inFlight.remove(tx);
        lastUsedNanos = System.nanoTime();
    }

    private void retry(Transaction tx) {
        tx.job.giveBack(tx.recipients);
        retries.add(tx.job);
        finish(tx);
    }

    /** Fails a transaction's job: its recipients are the job's again, so that a message partly sent says who is left. */
    private void fail(Transaction tx, SendmailException failure) {
        tx.job.giveBack(tx.recipients);
        settle(tx.job, null, failure);
    }

    /**
     * The connection ends: every transaction still open is settled by {@link Settlement}, once the replies the socket
     * still holds were read (where a write failed, the server may have answered before it went: those answers count).
     *
     * @param ending   how it ended, as far as is known before the remaining replies are read
     * @param cause    what ended it: an I/O failure or a reply the conversation cannot go on with (null for a 421)
     * @param readable whether replies may still be read (a write failed, not a read)
     */
    private void end(Settlement.Ending ending, Exception cause, boolean readable) {
        if (settling) {
            return;
        }
        settling = true;
        broken = true;
        if (ending == Settlement.Ending.LOST && readable) {
            ending = drain();
        }
        Transaction oldest = inFlight.peekFirst();
        for (Transaction tx : List.copyOf(inFlight)) {
            Settlement.Progress progress = new Settlement.Progress(-1, tx.outcome != null, tx.finalWritten,
                    tx.mailReply != null && tx.mailReply.code() == 250, tx == oldest, tx.retriable());
            switch (Settlement.settle(progress, ending)) {
                case REFUSED -> fail(tx, tx.outcome);
                case NOT_TAKEN -> {
                    tx.job.giveBack(tx.recipients);
                    retries.add(tx.job);
                }
                case FAILED_TRANSIENT -> fail(tx, cause instanceof SendmailException refusal
                        ? refusal : SmtpFailures.io(stepOf(tx), cause, tx.statuses, server));
                case MAY_HAVE_BEEN_ACCEPTED -> fail(tx, SmtpFailures.io(SmtpStep.DATA_END,
                        cause instanceof SendmailException refusal
                                ? new IOException("the connection ended: " + refusal.getMessage(), refusal) : cause,
                        tx.statuses, server));
                // a final reply settles its transaction when it is read: none is left open with one
                case DELIVERED, PENDING -> throw new IllegalStateException("transaction left open: " + progress);
            }
            finish(tx);
        }
        pending.clear();
    }

    /**
     * Reads the replies that arrived before the connection failed, each handled as usual (nothing more can be
     * written), for at most {@link #DRAIN_MILLIS}.
     *
     * @return {@link Settlement.Ending#SERVER_CLOSING} where one of them was a 421, else {@link Settlement.Ending#LOST}
     */
    private Settlement.Ending drain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(DRAIN_MILLIS, settings.timeout()));
        while (!pending.isEmpty()) {
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
            try {
                dispatch(reply);
            } catch (OutputFailed | SendmailException e) {
                // a handler that would write: the transaction stays as far as it got
            }
            if (reply.closing()) {
                return Settlement.Ending.SERVER_CLOSING;
            }
        }
        return Settlement.Ending.LOST;
    }

    /** The step a transaction waits on: its oldest unanswered command, or the end of its data once that is written. */
    private SmtpStep stepOf(Transaction tx) {
        if (tx.finalWritten) {
            return SmtpStep.DATA_END;
        }
        for (Pending p : pending) {
            if (p.transaction == tx) {
                return p.step;
            }
        }
        return tx.contentStarted ? SmtpStep.CONTENT : SmtpStep.MAIL;
    }

    /** Records a job's outcome; {@link #completeSettled()} completes it. */
    private void settle(Job job, Delivery delivery, SendmailException failure) {
        settled.add(failure != null ? () -> job.fail(failure) : () -> job.succeed(delivery));
    }

    /** Completes the jobs whose outcome was decided: their routes go on. */
    void completeSettled() {
        for (Runnable outcome : settled) {
            outcome.run();
        }
        settled.clear();
    }

    /**
     * Tells the pool what happened since it last asked, and forgets it: the messages to send again, those with
     * recipients left, and what the server said of the pace, the connections and the quota.
     */
    void report(ConnectionEvents events) {
        if (!retries.isEmpty()) {
            List<Job> jobs = List.copyOf(retries);
            retries.clear();
            events.notTaken(jobs);
        }
        if (!continued.isEmpty()) {
            List<Job> jobs = List.copyOf(continued);
            continued.clear();
            events.recipientsLeft(jobs);
        }
        if (rateLimited) {
            rateLimited = false;
            events.tooFast();
        }
        if (connectionLimited) {
            connectionLimited = false;
            events.tooManyConnections();
        }
        if (quota != null) {
            SmtpReply reply = quota;
            quota = null;
            events.quotaUsedUp(reply);
        }
    }

    /**
     * Writes a command of a transaction to the output buffer, once {@link TransportSecurity} allows it, and queues its
     * pending reply.
     *
     * @param handler what its reply does
     */
    private void write(SmtpStep at, String command, Transaction tx, ReplyHandler handler) throws SendmailException {
        SendmailException refusal = settings.security().beforeCommand(at, session.tls(), session.authenticated(), server);
        if (refusal != null) {
            throw refusal;
        }
        if (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
            // addresses are checked long before; this is the last line of defence against command injection
            throw new IllegalArgumentException("an SMTP command must be one line");
        }
        wire("C: {}", command);
        Pending reply = new Pending(at, tx, handler);
        if (outputFailure != null) {
            throw new OutputFailed(outputFailure);
        }
        if (unsolicitedInput()) {
            throw protocolViolation("while no reply was awaited");
        }
        step = at;
        try {
            channel.write(command.getBytes(StandardCharsets.UTF_8));
            channel.write(CRLF);
        } catch (IOException e) {
            throw outputFailed(e);
        }
        pending.add(reply);
        unflushed = true;
    }

    /** Records that nothing more can be written; the replies already due may still be read. */
    private OutputFailed outputFailed(IOException e) {
        if (outputFailure == null) {
            outputFailure = e;
        }
        return new OutputFailed(outputFailure);
    }

    private void wire(String format, Object argument) {
        if (settings.wireLog()) {
            WIRE.info("[{}] " + format, id, argument);
        }
    }

    private void wire(String line) {
        if (settings.wireLog()) {
            WIRE.info("[{}] {}", id, line);
        }
    }

    /** Sends QUIT and waits briefly for its reply, then closes; a broken connection is closed without it. */
    void close() {
        if (broken) {
            abort();
        } else {
            session.close(transactions);
        }
    }

    /** Closes the socket without a goodbye: the server may not be reading, and must not take a half-sent message. */
    void abort() {
        broken = true;
        session.abort(transactions);
    }

    private static long sizeLimit(String parameter) {
        try {
            return parameter.isBlank() ? 0 : Long.parseLong(parameter.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return whether the connection failed or the server is closing it: it must not carry another message */
    boolean isBroken() {
        return broken;
    }

    /** @return whether the connection takes no more transactions (the server refused RSET), though it is sound */
    boolean isRetiring() {
        return retiring;
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
        return transactions;
    }

    /** @return nanoseconds since the connection last finished a message, or since it opened */
    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /** How a transaction is written, from what the server offers and what the message is. */
    private enum Mode {
        /** One command at a time, then DATA and the message. */
        DATA(false),
        /** One command at a time, then {@code BDAT <size> LAST} with the message. */
        CHUNK(false),
        /** MAIL, RCPTs and DATA in one write; the message after the 354, with the next transaction's envelope. */
        PIPELINED_DATA(true),
        /** The whole transaction, {@code BDAT <size> LAST} and the message included, in one write. */
        PIPELINED_CHUNK(true);

        final boolean pipelined;

        Mode(boolean pipelined) {
            this.pipelined = pipelined;
        }
    }

    /** One message's transaction on this connection. */
    private static final class Transaction {
        final Job job;
        /** The connection was opened before the message was given to it: it may have been closed by the server since. */
        final boolean reused;
        final List<RecipientStatus> statuses = new ArrayList<>();
        /** The recipients this transaction carries: all the message's, or the next ones where there are too many. */
        final List<String> recipients;
        /** RCPT replies read so far. */
        int replied;
        /** Recipients the server said were too many (452 4.5.3): the next transaction's. */
        final List<String> overflow = new ArrayList<>();
        Mode mode;
        SmtpReply mailReply;
        boolean contentStarted;
        /** The final dot, or the BDAT LAST chunk, was written: the server may have the message. */
        boolean finalWritten;
        /** The refusal this transaction ends with, once its RSET is answered. */
        SendmailException outcome;

        Transaction(Job job, boolean reused, List<String> recipients) {
            this.job = job;
            this.reused = reused;
            this.recipients = recipients;
        }

        /** @return whether the message may go back to the queue when this connection fails before its MAIL FROM is taken */
        boolean retriable() {
            return reused && job.requeued == 0;
        }
    }
}
