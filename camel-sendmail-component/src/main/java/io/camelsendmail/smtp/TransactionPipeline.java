package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail transactions of one opened SMTP session, without a socket: it takes messages ({@link #begin}), the
 * server's replies in the order they came ({@link #replied}) and, when the connection ends, how it ended
 * ({@link #end}); it writes the commands and message data to an {@link OutputStream}, and gives each message its
 * outcome ({@link #completeSettled}) and the connection's news to its pool ({@link #report}).
 * <p>
 * Every command is queued as a pending reply with the handler its reply runs; replies complete the oldest pending one.
 * How transactions are written is fixed when the pipeline is made, from what the server offers ({@link WriteMode}):
 * <ul>
 * <li>With PIPELINING, MAIL FROM, the RCPTs and DATA go in one write; once DATA is answered 354, the message, its dot,
 * and the next message's MAIL FROM, RCPTs and DATA go in the next: one round trip a message.</li>
 * <li>With PIPELINING and CHUNKING, whole transactions ({@code MAIL}, {@code RCPT}, {@code BDAT <size> LAST} and the
 * message) are written without waiting, up to {@code maxInFlight} of them.</li>
 * <li>With CHUNKING alone, the message goes as one {@code BDAT <size> LAST} after its RCPTs are answered.</li>
 * <li>Without PIPELINING, one command at a time.</li>
 * </ul>
 * Per message, one thing only is decided, once, when it begins: a message streamed from its spool file (over
 * {@code PreparedMessage.IN_MEMORY_MAX}) goes with DATA after its envelope was answered, not as a chunk written before
 * the server said whether it takes any recipient.
 * <p>
 * Where the connection ends with transactions open, {@link Settlement} decides each one's outcome. The driver
 * ({@link SmtpConnection}) reads what the socket still holds first and gives it to {@link #replied}: replies that came
 * before the connection failed count.
 * <p>
 * Not thread-safe: one worker thread drives it.
 */
final class TransactionPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionPipeline.class);
    /** Every command and reply, with {@code wireLog=true}. */
    private static final Logger WIRE = LoggerFactory.getLogger("io.camelsendmail.smtp.wire");
    private static final byte[] CRLF = { '\r', '\n' };
    private static final byte[] END_OF_DATA = { '.', '\r', '\n' };

    /**
     * How this connection writes its transactions, chosen once from the server's extensions and the endpoint's options.
     *
     * @param pipelined    the envelope is written at once (PIPELINING), and up to {@code window} transactions are in
     *                     flight
     * @param chunks       a message held in memory goes as one {@code BDAT <size> LAST}: with the envelope where
     *                     pipelined, after it otherwise
     * @param dataWithMail DATA is written with the envelope, not after its replies (pipelined, allowPartialDelivery)
     * @param window       transactions in flight at most
     */
    record WriteMode(boolean pipelined, boolean chunks, boolean dataWithMail, int window) {

        static WriteMode of(Map<String, String> extensions, SmtpSettings settings) {
            boolean pipelining = extensions.containsKey("PIPELINING");
            boolean chunking = extensions.containsKey("CHUNKING");
            boolean partial = settings.allowPartialDelivery();
            if (pipelining) {
                // the whole transaction goes without waiting only where a refused recipient need not hold the message
                // back, and more than one is allowed in flight
                return new WriteMode(true, chunking && settings.maxInFlight() > 1 && partial, partial,
                        settings.maxInFlight());
            }
            return new WriteMode(false, chunking, false, 1);
        }
    }

    /** What ends the connection, as a handler found it; the driver reads what is left, then calls {@link #end}. */
    record EndRequest(Settlement.Ending ending, Exception cause, boolean readable) {
    }

    private final SmtpSettings settings;
    private final String server;
    private final int id;
    private final Map<String, String> extensions;
    private final boolean tls;
    private final boolean authenticated;
    private final OutputStream out;
    private final WriteMode mode;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The transactions written and not yet answered in full, oldest first. */
    private final ArrayDeque<Transaction> inFlight = new ArrayDeque<>();
    /** Jobs of transactions the server never took, for another connection. */
    private final List<Job> retries = new ArrayList<>();
    /** Jobs a transaction delivered to some of their recipients, with others left for a transaction of their own. */
    private final List<Job> continued = new ArrayList<>();
    /** Outcomes decided since the worker last asked: completed once the worker is ready for more messages. */
    private final List<Runnable> settled = new ArrayList<>();
    private SmtpStep step = SmtpStep.MAIL;
    /** Bytes were written since the driver last flushed. */
    private boolean wrote;
    /** The last transaction ended in a refusal the server may still hold state for: RSET before the next MAIL. */
    private boolean needsReset;
    /** The server said the client sends too fast, since the pool last asked. */
    private boolean rateLimited;
    /** The server refused a message for too many connections from this client. */
    private boolean connectionLimited;
    /** The server's reply that the sender's sending quota is used up, not yet taken by the pool. */
    private SmtpReply quota;
    /** The connection takes no more transactions: the server is closing it, or its state is unknown. */
    private boolean broken;
    /** A write failed, or must not happen: nothing more can be written, and replies may still be read. */
    private IOException outputFailure;
    /** The connection is being ended: its transactions are being settled. */
    private boolean settling;
    /** The server refused an RSET: the transactions in flight finish, and no other begins on this connection. */
    private boolean retiring;
    /** QUIT went with the last transactions; its reply is the last one due. */
    private boolean quitWritten;
    private boolean quitAnswered;
    private EndRequest endRequest;
    private int transactions;
    private volatile long lastUsedNanos = System.nanoTime();

    /** A command written whose reply has not been read yet, and what its reply does. */
    private record Pending(SmtpStep step, Transaction transaction, ReplyHandler handler) {
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

    /**
     * @param id            the connection's number, for the logs
     * @param extensions    what the server offered to the last EHLO
     * @param tls           whether the session is encrypted
     * @param authenticated whether the session signed in
     * @param out           where commands and message data go; they leave when the driver flushes
     */
    TransactionPipeline(SmtpSettings settings, int id, Map<String, String> extensions, boolean tls, boolean authenticated,
                        OutputStream out) {
        this.settings = settings;
        this.server = settings.server();
        this.id = id;
        this.extensions = extensions;
        this.tls = tls;
        this.authenticated = authenticated;
        this.out = out;
        this.mode = WriteMode.of(extensions, settings);
    }

    WriteMode mode() {
        return mode;
    }

    /**
     * @return whether another transaction may be written now: the connection is sound, the window has room, and every
     *         transaction in flight has written its message (nothing may follow a DATA still waiting for its 354, nor
     *         interleave with an envelope still being answered one command at a time)
     */
    boolean canBegin() {
        if (broken || retiring || quitWritten || endRequest != null || inFlight.size() >= mode.window()) {
            return false;
        }
        return allWritten();
    }

    private boolean allWritten() {
        for (Transaction transaction : inFlight) {
            if (!transaction.finalWritten) {
                return false;
            }
        }
        return true;
    }

    /** @return how many replies are due */
    int awaited() {
        return pending.size();
    }

    /** @return whether bytes were written since the last call, and forgets it */
    boolean takeWritten() {
        boolean was = wrote;
        wrote = false;
        return was;
    }

    /** @return the step whose reply is due next, or the last one written */
    SmtpStep step() {
        Pending next = pending.peekFirst();
        return next != null ? next.step() : step;
    }

    /**
     * Writes the start of a transaction: its envelope, and with pipelined chunking all of it. A refusal decided before
     * anything is written (SIZE, SMTPUTF8, TLS or AUTH required) fails the job at once.
     */
    void begin(Job job, boolean reusedConnection) {
        transactions++;
        lastUsedNanos = System.nanoTime();
        if (transactions > 1) {
            LOG.debug("Connection {} to {} reused for its message {}", id, server, transactions);
        }
        OutgoingMessage message = job.message;
        String mailFrom;
        try {
            mailFrom = mailFrom(message);
            SendmailException refusal = settings.security().beforeCommand(SmtpStep.MAIL, tls, authenticated, server);
            if (refusal != null) {
                throw refusal;
            }
        } catch (SendmailException e) {
            settle(job, null, e);
            return;
        }
        // the one decision per message: a message streamed from its spool file waits for its envelope's replies
        boolean chunked = mode.chunks() && message.bytes() != null;
        Transaction tx = new Transaction(job, reusedConnection, chunked,
                job.take(recipientLimit(), limit("RCPTDOMAINMAX")));
        inFlight.add(tx);
        try {
            if (needsReset || mode.pipelined() && chunked && inFlight.size() > 1) {
                // a transaction before this one may end in a refusal whose state the server still holds
                needsReset = false;
                write(SmtpStep.RSET, "RSET", tx, this::resetReplied);
            }
            write(SmtpStep.MAIL, mailFrom, tx, reply -> mailReplied(tx, reply));
            if (!mode.pipelined()) {
                return;
            }
            for (String recipient : tx.recipients) {
                write(SmtpStep.RCPT, rcptTo(message, recipient), tx, reply -> rcptReplied(tx, recipient, reply));
            }
            if (chunked) {
                chunk(tx);
            } else if (mode.dataWithMail()) {
                write(SmtpStep.DATA, "DATA", tx, reply -> dataReplied(tx, reply));
            }
        } catch (OutputFailed e) {
            requestEnd(Settlement.Ending.LOST, e.io(), true);
        } catch (SendmailException e) {
            requestEnd(Settlement.Ending.LOST, e, true);
        }
    }

    /**
     * Writes QUIT after the transactions in flight, where the server allows it in a pipelined group (RFC 2920 3.1):
     * its reply comes with theirs, and the connection needs no round trip of its own to close.
     *
     * @return whether QUIT was written
     */
    boolean quit() {
        if (!mode.pipelined() || quitWritten || broken || outputFailure != null || endRequest != null || !allWritten()) {
            return false;
        }
        try {
            write(SmtpStep.QUIT, "QUIT", null, reply -> quitAnswered = true);
            quitWritten = true;
            return true;
        } catch (OutputFailed | SendmailException | IllegalArgumentException e) {
            return false;
        }
    }

    /** @return whether the server answered a QUIT written with the last transactions: the socket may just be closed */
    boolean quitAnswered() {
        return quitAnswered;
    }

    /**
     * Gives a reply to the oldest command waiting for one, and runs what that reply does (which may write more and
     * settle messages). A 421 asks for the connection to end, after the handler saw it.
     */
    void replied(SmtpReply reply) {
        if (pending.isEmpty()) {
            throw new IllegalStateException("a reply with nothing awaited: the driver checks this before");
        }
        wire("S: {}", reply.lines());
        Pending next = pending.removeFirst();
        step = next.step();
        if (Pace.tooFast(reply)) {
            rateLimited = true;
        }
        try {
            next.handler().handle(reply);
        } catch (OutputFailed e) {
            requestEnd(Settlement.Ending.LOST, e.io(), true);
        } catch (SendmailException e) {
            requestEnd(Settlement.Ending.LOST, e, true);
        } catch (RuntimeException e) {
            requestEnd(Settlement.Ending.LOST, e, false);
        }
        if (reply.closing()) {
            requestEnd(Settlement.Ending.SERVER_CLOSING, null, false);
        }
    }

    /**
     * Nothing more may be written (the server sent what no command asked for, or the worker stops): the replies
     * already due may still be read.
     */
    void stopWriting(IOException why) {
        if (outputFailure == null) {
            outputFailure = why;
        }
    }

    /** @return what ends the connection, once a handler or a write found it, or null while it goes on */
    EndRequest endRequest() {
        return endRequest;
    }

    private void requestEnd(Settlement.Ending ending, Exception cause, boolean readable) {
        broken = true;
        if (endRequest == null) {
            endRequest = new EndRequest(ending, cause, readable);
        } else if (ending == Settlement.Ending.SERVER_CLOSING && endRequest.ending() == Settlement.Ending.LOST) {
            // a 421 read while draining: nothing after it was processed
            endRequest = new EndRequest(ending, endRequest.cause(), false);
        }
        if (readable) {
            stopWriting(cause instanceof IOException io ? io : new IOException("the connection ends", cause));
        }
    }

    /**
     * The reply to an RSET. A 421 is the server closing, which {@link #replied} deals with for every reply; any other
     * refusal leaves the server's state unknown: what is in flight is answered, and nothing more begins here.
     */
    private void resetReplied(SmtpReply reply) {
        if (reply.code() != 250 && !reply.closing()) {
            LOG.warn("SMTP server {} refused RSET ({}): the connection carries no more messages", server, reply.lines());
            retiring = true;
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
        } else if (!mode.pipelined()) {
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
        if (!mode.pipelined()) {
            nextRecipient(tx);
        } else if (tx.replied == tx.recipients.size() && !tx.chunked && !mode.dataWithMail()) {
            // DATA waited for every RCPT reply
            envelopeDone(tx);
        }
    }

    /** Every envelope reply is in and DATA was not sent with them: refuse, or go on with DATA or BDAT. */
    private void envelopeDone(Transaction tx) throws SendmailException {
        if (envelopeRefused(tx, true)) {
            return;
        } else if (tx.chunked) {
            chunk(tx);
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
        if (mode.pipelined() && mode.dataWithMail()) {
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

    /** The message, dot-stuffed, and the final dot: they leave with what is written next. */
    private void content(Transaction tx) {
        if (outputFailure != null) {
            throw new OutputFailed(outputFailure);
        }
        step = SmtpStep.CONTENT;
        tx.contentStarted = true;
        OutgoingMessage message = tx.job.message;
        try {
            message.writeTo(new DotStuffingOutputStream(out));
            out.write(END_OF_DATA);
        } catch (IOException e) {
            // the final dot never reached the buffer: the server cannot have the message
            throw outputFailed(e);
        }
        tx.finalWritten = true;
        wrote = true;
        wire("C: <{} bytes of message data>", message.size());
        wire("C: {}", ".");
        pending.add(new Pending(SmtpStep.DATA_END, tx, reply -> endReplied(tx, reply)));
    }

    /** {@code BDAT <size> LAST} and the message. */
    private void chunk(Transaction tx) throws SendmailException {
        byte[] bytes = tx.job.message.bytes();
        // BDAT ... LAST carries the whole message: its reply is the reply to the end of the data
        write(SmtpStep.DATA_END, "BDAT " + bytes.length + " LAST", tx, reply -> endReplied(tx, reply));
        step = SmtpStep.CONTENT;
        tx.contentStarted = true;
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw outputFailed(e);
        }
        tx.finalWritten = true;
        wire("C: <{} bytes of message data>", bytes.length);
    }

    private void endReplied(Transaction tx, SmtpReply reply) throws SendmailException {
        if (mode.pipelined() && tx.chunked && !reply.closing() && envelopeRefused(tx, true)) {
            // the chunk went with the envelope, and the server refused it for want of a sender or a recipient
            return;
        }
        if (reply.code() != 250) {
            // a refused BDAT may leave the transaction open on the server; the reply to the dot ends it
            refuse(tx, SmtpStep.DATA_END, reply, tx.chunked);
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
        String text = reply.text().toLowerCase(Locale.ROOT);
        return text.startsWith("4.5.3") || text.contains("too many recipients");
    }

    /** @return the most recipients a transaction may have: maxRecipientsPerMessage or LIMITS RCPTMAX, 0 for any */
    private int recipientLimit() {
        int own = settings.maxRecipientsPerMessage();
        int limit = limit("RCPTMAX");
        return own <= 0 ? limit : limit <= 0 ? own : Math.min(own, limit);
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
        if (!reset || broken || quitWritten) {
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
     * The connection ended: every transaction still open is settled by {@link Settlement}. The driver gave the replies
     * the socket still held to {@link #replied} before.
     *
     * @param ending how it ended
     * @param cause  what ended it: an I/O failure or a reply the conversation cannot go on with (null for a 421)
     */
    void end(Settlement.Ending ending, Exception cause) {
        if (settling) {
            return;
        }
        settling = true;
        broken = true;
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

    /** @return whether the connection was ended and its transactions settled */
    boolean ended() {
        return settling;
    }

    /** @return whether transactions are open */
    boolean hasOpenTransactions() {
        return !inFlight.isEmpty();
    }

    /** The step a transaction waits on: its oldest unanswered command, or the end of its data once that is written. */
    private SmtpStep stepOf(Transaction tx) {
        if (tx.finalWritten) {
            return SmtpStep.DATA_END;
        }
        for (Pending p : pending) {
            if (p.transaction() == tx) {
                return p.step();
            }
        }
        return tx.contentStarted ? SmtpStep.CONTENT : SmtpStep.MAIL;
    }

    /** Records a job's outcome; {@link #completeSettled()} completes it. */
    void settle(Job job, Delivery delivery, SendmailException failure) {
        settled.add(failure != null ? () -> job.fail(failure) : () -> job.succeed(delivery));
    }

    /** Completes the jobs whose outcome was decided: their routes go on. */
    void completeSettled() {
        if (settled.isEmpty()) {
            return;
        }
        List<Runnable> outcomes = List.copyOf(settled);
        settled.clear();
        for (Runnable outcome : outcomes) {
            outcome.run();
        }
    }

    /** A job that goes back to the queue without a transaction (the connection was found unusable first). */
    void notTaken(Job job) {
        retries.add(job);
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
     * Writes a command of a transaction, once {@link TransportSecurity} allows it, and queues its pending reply.
     *
     * @param handler what its reply does
     */
    private void write(SmtpStep at, String command, Transaction tx, ReplyHandler handler) throws SendmailException {
        SendmailException refusal = settings.security().beforeCommand(at, tls, authenticated, server);
        if (refusal != null) {
            throw refusal;
        }
        if (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
            // addresses are checked long before; this is the last line of defence against command injection
            throw new IllegalArgumentException("an SMTP command must be one line");
        }
        if (outputFailure != null) {
            throw new OutputFailed(outputFailure);
        }
        wire("C: {}", command);
        step = at;
        try {
            out.write(command.getBytes(StandardCharsets.UTF_8));
            out.write(CRLF);
        } catch (IOException e) {
            throw outputFailed(e);
        }
        pending.add(new Pending(at, tx, handler));
        wrote = true;
    }

    /** Records that nothing more can be written; the replies already due may still be read. */
    private OutputFailed outputFailed(IOException e) {
        stopWriting(e);
        return new OutputFailed(outputFailure);
    }

    private void wire(String format, Object argument) {
        if (settings.wireLog()) {
            WIRE.info("[{}] " + format, id, argument);
        }
    }

    private static long sizeLimit(String parameter) {
        try {
            return parameter.isBlank() ? 0 : Long.parseLong(parameter.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return whether the connection must not carry another message: the server is closing it, or it failed */
    boolean isBroken() {
        return broken;
    }

    /** Takes no more transactions, and lets those in flight finish. */
    void breakOff() {
        broken = true;
    }

    /** @return whether the connection takes no more transactions (the server refused RSET), though it is sound */
    boolean isRetiring() {
        return retiring;
    }

    /** @return how many messages this connection has been given */
    int transactions() {
        return transactions;
    }

    /** @return {@link System#nanoTime()} when a transaction last finished, or when the pipeline was made */
    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** One message's transaction on this connection. */
    private static final class Transaction {
        final Job job;
        /** The connection was opened before the message was given to it: it may have been closed by the server since. */
        final boolean reused;
        /** The message goes as one BDAT LAST chunk, not with DATA: decided once, when it begins. */
        final boolean chunked;
        final List<RecipientStatus> statuses = new ArrayList<>();
        /** The recipients this transaction carries: all the message's, or the next ones where there are too many. */
        final List<String> recipients;
        /** RCPT replies read so far. */
        int replied;
        /** Recipients the server said were too many (452 4.5.3): the next transaction's. */
        final List<String> overflow = new ArrayList<>();
        SmtpReply mailReply;
        boolean contentStarted;
        /** The final dot, or the BDAT LAST chunk, was written: the server may have the message. */
        boolean finalWritten;
        /** The refusal this transaction ends with, once its RSET is answered. */
        SendmailException outcome;

        Transaction(Job job, boolean reused, boolean chunked, List<String> recipients) {
            this.job = job;
            this.reused = reused;
            this.chunked = chunked;
            this.recipients = recipients;
        }

        /** @return whether the message may go back to the queue when this connection fails before its MAIL FROM is taken */
        boolean retriable() {
            return reused && job.requeued == 0;
        }
    }
}
