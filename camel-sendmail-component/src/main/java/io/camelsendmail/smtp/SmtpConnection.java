package io.camelsendmail.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailException;
import io.camelsendmail.TransportSecurityRequiredException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection: the greeting, EHLO, STARTTLS and AUTH when it opens, then mail transactions.
 * <p>
 * Every command is a named {@link SmtpStep}, checked by {@link TransportSecurity} before it is written, and queued as a
 * pending reply; replies are read in order and each completes the oldest pending one. Pipelining (RFC 2920) is several
 * commands written before their replies are read. Where the server offers CHUNKING (RFC 3030) and not PIPELINING, a
 * message held in memory goes as one {@code BDAT <size> LAST}.
 * <p>
 * Not thread-safe: the pool hands a connection to one message at a time.
 */
public final class SmtpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
    /** Every command and reply, with {@code wireLog=true}; AUTH payloads are masked. */
    private static final Logger WIRE = LoggerFactory.getLogger("io.camelsendmail.smtp.wire");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final byte[] CRLF = { '\r', '\n' };
    private static final byte[] END_OF_DATA = { '.', '\r', '\n' };
    /** QUIT's reply is a courtesy: nothing waits longer than this for it. */
    private static final int QUIT_WAIT_MILLIS = 1000;
    /** More challenges than any mechanism here needs: a server that keeps asking is refused. */
    private static final int MAX_AUTH_ROUNDS = 4;

    private final SmtpSettings settings;
    private final String server;
    private final int id = IDS.incrementAndGet();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final long openedNanos = System.nanoTime();
    private SmtpChannel channel;
    private Map<String, String> extensions = Map.of();
    private SmtpStep step = SmtpStep.CONNECT;
    private boolean tls;
    private boolean authenticated;
    private boolean unflushed;
    /** A bearer token the server refused when this connection signed in. */
    private String refusedToken;
    /** The statuses of the transaction under way, for a failure to carry; null between transactions. */
    private List<RecipientStatus> statuses;
    private volatile boolean broken;
    private volatile int transactions;
    private volatile long lastUsedNanos = openedNanos;

    /** A command written whose reply has not been read yet. */
    private static final class Pending {
        final SmtpStep step;
        SmtpReply reply;

        Pending(SmtpStep step) {
            this.step = step;
        }
    }

    private SmtpConnection(SmtpSettings settings) {
        this.settings = settings;
        this.server = settings.server();
    }

    /**
     * Connects, reads the greeting, says EHLO, upgrades to TLS when offered, and signs in when credentials are set. A
     * bearer token the server refuses is reported to its source, and one more connection is tried with the next token.
     */
    public static SmtpConnection open(SmtpSettings settings) throws SendmailException {
        SmtpConnection connection = new SmtpConnection(settings);
        try {
            connection.start();
            return connection;
        } catch (SendmailException | RuntimeException e) {
            connection.abort();
            String refused = connection.refusedToken;
            if (refused == null || !settings.tokens().refused(refused)) {
                throw e;
            }
        }
        LOG.debug("Connection {} to {}: the server refused the access token; trying once more with a new one",
                connection.id, connection.server);
        SmtpConnection fresh = new SmtpConnection(settings);
        try {
            fresh.start();
            return fresh;
        } catch (SendmailException | RuntimeException e) {
            fresh.abort();
            if (fresh.refusedToken != null) {
                settings.tokens().refused(fresh.refusedToken);
            }
            throw e;
        }
    }

    private void start() throws SendmailException {
        try {
            channel = SmtpChannel.connect(settings.host(), settings.port(), settings.connectTimeout(), settings.timeout(),
                    settings.implicitTls() ? settings.tls() : null, settings.writeTimeouts());
        } catch (IOException | RuntimeException e) {
            throw SmtpFailures.io(SmtpStep.CONNECT, e, null, server);
        }
        tls = settings.implicitTls();
        LOG.debug("Connection {} to {} opened{}", id, server, tls ? " with TLS " + channel.tlsDescription() : "");
        Pending greeting = new Pending(SmtpStep.GREETING);
        pending.add(greeting);
        expect(await(greeting), SmtpStep.GREETING);
        ehlo();
        if (!tls && extensions.containsKey("STARTTLS")) {
            startTls();
        }
        if (settings.username() != null) {
            authenticate();
        }
        lastUsedNanos = System.nanoTime();
    }

    private void ehlo() throws SendmailException {
        SmtpReply reply = command(SmtpStep.EHLO, "EHLO " + settings.heloName());
        if (reply.code() == 250) {
            extensions = extensions(reply);
            return;
        }
        int code = reply.code();
        // HELO only where EHLO is not understood; any other refusal ends the conversation
        if (code == 500 || code == 501 || code == 502 || code == 504) {
            expect(command(SmtpStep.HELO, "HELO " + settings.heloName()), SmtpStep.HELO);
            extensions = Map.of();
            return;
        }
        throw refusal(SmtpStep.EHLO, reply);
    }

    private void startTls() throws SendmailException {
        expect(command(SmtpStep.STARTTLS, "STARTTLS"), SmtpStep.STARTTLS);
        try {
            if (channel.hasUnreadInput()) {
                // anything the server sent after its 220 could be read later as if it came through TLS
                broken = true;
                throw new TransportSecurityRequiredException(
                        "the SMTP server " + server + " sent data after its 220 reply to STARTTLS, before TLS began: "
                                                             + "refused as a STARTTLS injection; nothing more was sent",
                        SmtpStep.STARTTLS.name(), 220, false, null, null);
            }
            channel.startTls(settings.tls());
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(SmtpStep.STARTTLS, e, null, server);
        }
        tls = true;
        LOG.debug("Connection {} to {}: STARTTLS, {}", id, server, channel.tlsDescription());
        ehlo();
    }

    private void authenticate() throws SendmailException {
        String offered = extensions.get("AUTH");
        if (offered == null) {
            // nothing to sign in with: requireAuthentication refuses MAIL FROM, else the server decides
            return;
        }
        SendmailException refusal = settings.security().beforeCommand(SmtpStep.AUTH, tls, false, server);
        if (refusal != null) {
            throw refusal;
        }
        Set<String> mechanisms = new HashSet<>(Arrays.asList(offered.toUpperCase(Locale.ROOT).split("\\s+")));
        BearerTokens tokens = settings.tokens();
        List<String> supported = tokens != null ? SaslMechanism.tokenMechanisms() : SaslMechanism.passwordMechanisms(tls);
        String chosen = supported.stream().filter(mechanisms::contains).findFirst().orElse(null);
        if (chosen == null) {
            throw SmtpFailures.refusedAuth(server, offered, supported);
        }
        String token = tokens != null ? tokens.token() : null;
        SaslMechanism mechanism = tokens != null
                ? SaslMechanism.withToken(chosen, settings.username(), token, settings.host(), settings.port())
                : SaslMechanism.withPassword(chosen, settings.username(), settings.password());
        String initial = mechanism.initialResponse();
        String command = "AUTH " + chosen;
        SmtpReply reply = initial == null ? command(SmtpStep.AUTH, command)
                : await(write(SmtpStep.AUTH, command + " " + initial, command.length()));
        for (int round = 0; reply.code() == 334; round++) {
            String answer;
            try {
                answer = round < MAX_AUTH_ROUNDS ? mechanism.respond(reply.text()) : "*";
            } catch (IllegalStateException e) {
                // RFC 4954: "*" cancels the exchange; the server answers 501
                answer = "*";
            }
            reply = await(write(SmtpStep.AUTH, answer, 0));
        }
        if (reply.code() != 235) {
            if (token != null && !reply.closing() && (reply.code() == 535 || mechanism.serverError() != null)) {
                refusedToken = token;
            }
            String said = mechanism.serverError();
            SmtpReply refused = said == null ? reply
                    : new SmtpReply(reply.code(), reply.lines() + "\n(the server's " + chosen + " status: " + said + ")");
            throw refusal(SmtpStep.AUTH, refused);
        }
        authenticated = true;
        LOG.debug("Connection {} to {}: signed in with AUTH {}", id, server, chosen);
    }

    /**
     * Runs one mail transaction: MAIL FROM, one RCPT TO per recipient, DATA, the message and the final dot (or one
     * {@code BDAT ... LAST}). With PIPELINING, MAIL FROM, the RCPTs and DATA go in one write and their replies are
     * read in order; the message itself is only sent once every reply was read, a recipient was accepted and DATA was
     * answered 354.
     *
     * @throws SendmailException on any refusal or failure; after a refusal the transaction is reset with RSET and the
     *                           connection stays usable, after a failure it is {@link #isBroken() broken}
     */
    public Delivery send(OutgoingMessage message) throws SendmailException {
        transactions++;
        statuses = new ArrayList<>(message.recipients().size());
        try {
            return transaction(message, statuses);
        } finally {
            statuses = null;
            lastUsedNanos = System.nanoTime();
        }
    }

    private Delivery transaction(OutgoingMessage message, List<RecipientStatus> statuses) throws SendmailException {
        String mailFrom = mailFrom(message);
        boolean pipelining = extensions.containsKey("PIPELINING");
        byte[] chunk = !pipelining && extensions.containsKey("CHUNKING") ? message.bytes() : null;
        boolean partial = settings.allowPartialDelivery();

        Pending mail = write(SmtpStep.MAIL, mailFrom, -1);
        if (!pipelining) {
            SmtpReply reply = await(mail);
            if (reply.code() != 250) {
                throw refused(SmtpStep.MAIL, reply);
            }
        }
        List<Pending> rcpts = new ArrayList<>();
        for (String recipient : message.recipients()) {
            Pending rcpt = write(SmtpStep.RCPT, "RCPT TO:<" + recipient + ">", -1);
            if (pipelining) {
                rcpts.add(rcpt);
            } else {
                record(recipient, await(rcpt));
            }
        }
        if (!pipelining) {
            checkRecipients(message);
            return chunk != null ? chunk(chunk) : data(message);
        }

        // pipelined: DATA goes with the envelope unless every recipient must be accepted first
        Pending data = partial ? write(SmtpStep.DATA, "DATA", -1) : null;
        SmtpReply mailReply = await(mail);
        if (mailReply.closing()) {
            throw refused(SmtpStep.MAIL, mailReply);
        }
        for (int i = 0; i < rcpts.size(); i++) {
            record(message.recipients().get(i), await(rcpts.get(i)));
        }
        SmtpReply dataReply = data != null ? await(data) : null;
        if (dataReply != null && dataReply.closing()) {
            throw refused(SmtpStep.DATA, dataReply);
        }
        boolean accepted = mailReply.code() == 250 && statuses.stream().anyMatch(RecipientStatus::accepted);
        if (dataReply != null && dataReply.code() == 354 && !accepted) {
            // the server waits for a message it has no recipient for: the connection is ended, nothing is sent
            broken = true;
        }
        if (mailReply.code() != 250) {
            // the RCPT replies only echo the refused MAIL FROM
            statuses.clear();
            throw refused(SmtpStep.MAIL, mailReply);
        }
        checkRecipients(message);
        if (dataReply == null) {
            return data(message);
        }
        if (dataReply.code() != 354) {
            throw refused(SmtpStep.DATA, dataReply);
        }
        return content(message);
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

    /** Keeps one RCPT's reply; a 421 ends the transaction and the connection. */
    private void record(String recipient, SmtpReply reply) throws SendmailException {
        if (reply.closing()) {
            throw refused(SmtpStep.RCPT, reply);
        }
        statuses.add(new RecipientStatus(recipient, reply.code(), reply.text()));
    }

    /** No recipient accepted, or (with allowPartialDelivery=false) not all: reset, and refuse before any data. */
    private void checkRecipients(OutgoingMessage message) throws SendmailException {
        List<RecipientStatus> refused = statuses.stream().filter(s -> !s.accepted()).toList();
        if (refused.isEmpty()) {
            return;
        }
        LOG.warn("SMTP server {} refused {} of {} recipients of a message from {}: {}", server, refused.size(),
                statuses.size(), message.sender(), refused.stream().map(RecipientStatus::toString).collect(Collectors.joining("; ")));
        boolean partial = settings.allowPartialDelivery();
        if (refused.size() == statuses.size() || !partial) {
            reset();
            throw SmtpFailures.recipientsRefused(statuses, partial, server);
        }
    }

    /** DATA, then the message. */
    private Delivery data(OutgoingMessage message) throws SendmailException {
        SmtpReply reply = command(SmtpStep.DATA, "DATA");
        if (reply.code() != 354) {
            throw refused(SmtpStep.DATA, reply);
        }
        return content(message);
    }

    /** The message, dot-stuffed, and the final dot, in as few writes as the buffer allows; then the server's verdict. */
    private Delivery content(OutgoingMessage message) throws SendmailException {
        step = SmtpStep.CONTENT;
        try {
            OutputStream out = channel.output();
            message.writeTo(new DotStuffingOutputStream(out));
            out.write(END_OF_DATA);
        } catch (IOException | RuntimeException e) {
            // the final dot did not leave: the server cannot take what it has
            broken = true;
            throw SmtpFailures.io(SmtpStep.CONTENT, e, statuses, server);
        }
        wire("C: <{} bytes of message data>", message.size());
        wire("C: .");
        unflushed = true;
        Pending end = new Pending(SmtpStep.DATA_END);
        pending.add(end);
        return verdict(await(end));
    }

    /** The whole message as one {@code BDAT <size> LAST} chunk, written with its command. */
    private Delivery chunk(byte[] chunk) throws SendmailException {
        // BDAT ... LAST carries the whole message: its reply is the reply to the end of the data
        Pending end = write(SmtpStep.DATA_END, "BDAT " + chunk.length + " LAST", -1);
        step = SmtpStep.CONTENT;
        try {
            channel.write(chunk);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(SmtpStep.CONTENT, e, statuses, server);
        }
        wire("C: <{} bytes of message data>", chunk.length);
        SmtpReply reply = await(end);
        if (reply.code() != 250 && !reply.closing()) {
            SendmailException failure = SmtpFailures.reply(SmtpStep.DATA_END, reply.code(), reply.lines(), statuses, server);
            reset();
            throw failure;
        }
        return verdict(reply);
    }

    private Delivery verdict(SmtpReply reply) throws SendmailException {
        if (reply.code() != 250) {
            throw refused(SmtpStep.DATA_END, reply);
        }
        return new Delivery(List.copyOf(statuses), reply.text());
    }

    /**
     * A refusal: ends the transaction with RSET (except after the data, which ends it anyway), or marks the connection
     * broken when the server is closing it.
     */
    private SendmailException refused(SmtpStep at, SmtpReply reply) {
        SendmailException failure = SmtpFailures.reply(at, reply.code(), reply.lines(), statuses, server);
        if (reply.closing()) {
            broken = true;
        } else if (at != SmtpStep.DATA_END) {
            reset();
        }
        return failure;
    }

    /** A reply the conversation cannot go on with while the connection opens. */
    private SendmailException refusal(SmtpStep at, SmtpReply reply) {
        if (reply.closing()) {
            broken = true;
        }
        return SmtpFailures.reply(at, reply.code(), reply.lines(), null, server);
    }

    private void expect(SmtpReply reply, SmtpStep at) throws SendmailException {
        if (reply.code() != at.expected()) {
            throw refusal(at, reply);
        }
    }

    /** Ends a refused transaction so that the connection can carry the next one; a failed RSET breaks it. */
    private void reset() {
        if (broken) {
            return;
        }
        try {
            if (command(SmtpStep.RSET, "RSET").code() != 250) {
                broken = true;
            }
        } catch (SendmailException e) {
            broken = true;
        }
    }

    private SmtpReply command(SmtpStep at, String command) throws SendmailException {
        return await(write(at, command, -1));
    }

    /**
     * Writes a command to the output buffer, once {@link TransportSecurity} allows it, and queues its pending reply.
     *
     * @param secretFrom where a secret starts in the command (masked in the wire log), or -1
     */
    private Pending write(SmtpStep at, String command, int secretFrom) throws SendmailException {
        SendmailException refusal = settings.security().beforeCommand(at, tls, authenticated, server);
        if (refusal != null) {
            throw refusal;
        }
        if (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
            // addresses are checked long before; this is the last line of defence against command injection
            throw new IllegalArgumentException("an SMTP command must be one line");
        }
        if (settings.wireLog()) {
            WIRE.info("[{}] C: {}", id, secretFrom < 0 ? command : command.substring(0, secretFrom) + (secretFrom > 0 ? " " : "") + "***");
        }
        Pending reply = new Pending(at);
        step = at;
        try {
            channel.write(command.getBytes(StandardCharsets.UTF_8));
            channel.write(CRLF);
        } catch (IOException | RuntimeException e) {
            broken = true;
            step = pending.isEmpty() ? at : pending.peekFirst().step;
            throw SmtpFailures.io(step, e, statuses, server);
        }
        pending.add(reply);
        unflushed = true;
        return reply;
    }

    /** Flushes what was written, then reads replies in order until {@code target}'s has come. */
    private SmtpReply await(Pending target) throws SendmailException {
        try {
            if (unflushed) {
                unflushed = false;
                channel.flush();
            }
            while (target.reply == null) {
                Pending next = pending.peekFirst();
                step = next.step;
                SmtpReply reply = channel.readReply();
                wire("S: {}", reply.lines());
                pending.removeFirst().reply = reply;
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            if (!pending.isEmpty()) {
                step = pending.peekFirst().step;
            }
            throw SmtpFailures.io(step, e, statuses, server);
        }
        return target.reply;
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
    public void close() {
        if (broken || channel == null) {
            abort();
            return;
        }
        try {
            wire("C: QUIT");
            channel.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            channel.flush();
            wire("S: {}", channel.readReply(Math.min(QUIT_WAIT_MILLIS, settings.timeout())).lines());
        } catch (IOException | RuntimeException e) {
            // the server may already have gone; the socket is closed either way
        } finally {
            LOG.debug("Connection {} to {} closed with QUIT after {} messages", id, server, transactions);
            channel.close();
        }
    }

    /** Closes the socket without a goodbye: the server may not be reading, and must not take a half-sent message. */
    public void abort() {
        broken = true;
        if (channel != null) {
            LOG.debug("Connection {} to {} closed after {} messages, without QUIT", id, server, transactions);
            channel.close();
        }
    }

    private static Map<String, String> extensions(SmtpReply ehlo) {
        Map<String, String> extensions = new HashMap<>();
        String[] lines = ehlo.lines().split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].length() > 4 ? lines[i].substring(4).trim() : "";
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String parameters = space < 0 ? "" : line.substring(space + 1).trim();
            if (keyword.startsWith("AUTH=")) {
                // the pre-RFC 4954 form some servers still send
                parameters = keyword.substring(5);
                keyword = "AUTH";
            }
            extensions.merge(keyword, parameters, (a, b) -> (a + " " + b).trim());
        }
        return Map.copyOf(extensions);
    }

    private static long sizeLimit(String parameter) {
        try {
            return parameter.isBlank() ? 0 : Long.parseLong(parameter.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return whether the connection failed or the server is closing it: it must not carry another message */
    public boolean isBroken() {
        return broken;
    }

    /**
     * @return whether the last send failed because the connection was lost (or the server said 421) before MAIL FROM
     *         was accepted: nothing of that message reached the server, so it may be sent again on another connection
     */
    public boolean lostBeforeMailAccepted() {
        return broken && step == SmtpStep.MAIL;
    }

    /** @return whether this connection was opened before the given {@link System#nanoTime()} */
    public boolean openedBefore(long nanoTime) {
        return openedNanos - nanoTime < 0;
    }

    /** @return nanoseconds since the connection was opened */
    public long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /** @return how many messages this connection has been given */
    public int transactions() {
        return transactions;
    }

    /** @return nanoseconds since the connection last finished a message, or since it opened */
    public long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /** @return a number that names this connection in the logs */
    public int id() {
        return id;
    }
}
