package io.camelsendmail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.eclipse.angus.mail.util.LineInputStream;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection. Angus Mail's transport speaks the protocol (greeting, EHLO, STARTTLS, AUTH); this class names
 * each step as it happens, runs every command past {@link TransportSecurity}, reads every reply with a
 * {@link BoundedReplyReader}, and drives the mail transaction itself (pipelined or chunked where the server offers it)
 * so that each RCPT's reply is kept and nothing is sent after a refusal.
 */
final class SmtpConnection extends SMTPTransport {

    /** Headers never transmitted. */
    private static final String[] NOT_TRANSMITTED = { "Bcc", "Content-Length" };
    private static final byte[] CRLF = { '\r', '\n' };
    /**
     * Angus Mail's buffered output to the server (plain or TLS), which its API only writes one command and one flush at
     * a time. Pipelined commands are written to it and flushed once. Null where it cannot be reached (a module
     * path that does not open Angus Mail): then commands are not pipelined.
     */
    private static final VarHandle SERVER_OUTPUT = field("serverOutput", OutputStream.class);
    /**
     * Angus Mail's buffered input from the server and its reply line reader, which has no limits: replaced by a
     * {@link BoundedReplyReader} before each reply is read, and checked for bytes injected after the 220 to STARTTLS.
     * Null where they cannot be reached: then Angus Mail's own reader is used.
     */
    private static final VarHandle SERVER_INPUT = field("serverInput", BufferedInputStream.class);
    private static final VarHandle LINE_INPUT = field("lineInputStream", LineInputStream.class);

    static {
        if (SERVER_OUTPUT == null || SERVER_INPUT == null || LINE_INPUT == null) {
            LoggerFactory.getLogger(SmtpConnection.class).warn(
                    "Angus Mail's SMTP streams cannot be reached (is org.eclipse.angus.mail opened to io.camelsendmail?): "
                                                               + "commands are not pipelined or chunked, and replies are "
                                                               + "read without length limits or STARTTLS injection checks");
        }
    }

    private final TransportSecurity security;
    private final int timeout;
    private final String server;
    private final boolean implicitTls;

    private SmtpStep step = SmtpStep.CONNECT;
    private boolean tlsActive;
    private boolean authAttempted;
    private boolean authenticated;
    private int lastCode = -1;
    private String lastReply = "";
    private int dataCode = -1;
    private String dataReply = "";
    private volatile boolean broken;
    private int transactions;
    private volatile long lastUsedNanos = System.nanoTime();
    private final long openedNanos = System.nanoTime();

    SmtpConnection(Session session, String host, int port, boolean implicitTls, TransportSecurity security, int timeout) {
        super(session, new URLName("smtp", host, port, null, null, null), "smtp", implicitTls);
        this.security = security;
        this.timeout = timeout;
        this.implicitTls = implicitTls;
        this.server = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static VarHandle field(String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(SMTPTransport.class, MethodHandles.lookup())
                    .findVarHandle(SMTPTransport.class, name, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Connects, greets, upgrades to TLS when offered, and authenticates when credentials are given. */
    void open(String user, String password) throws SendmailException {
        URLName url = getURLName();
        try {
            connect(url.getHost(), url.getPort(), user, password);
            lastUsedNanos = System.nanoTime();
        } catch (MessagingException e) {
            broken = true;
            throw SmtpFailures.of(e, this);
        }
    }

    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        step = SmtpStep.CONNECT;
        // with implicit TLS the socket is TLS before the first command; a failed handshake ends the connect
        tlsActive = implicitTls;
        return super.protocolConnect(host, port, user, password);
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        boolean ok = super.ehlo(domain);
        // fall back to HELO only when EHLO is not understood; any other refusal ends the conversation
        if (!ok && lastCode != 500 && lastCode != 501 && lastCode != 502 && lastCode != 504) {
            throw new SmtpRefusal(SmtpFailures.reply(SmtpStep.EHLO, lastCode, lastReply, null, server));
        }
        return ok;
    }

    @Override
    protected void startTLS() throws MessagingException {
        super.startTLS();
        tlsActive = true;
    }

    @Override
    protected void sendCommand(String command) throws MessagingException {
        if (broken && "QUIT".equals(command)) {
            // a failed connection is closed without a goodbye: the server may not be reading, and QUIT would wait
            throw new MessagingException("the connection to " + server + " failed; closing it without QUIT");
        }
        beforeSend(command);
        super.sendCommand(command);
    }

    /** Sends a command that may hold UTF-8 (an SMTPUTF8 address) and reads the reply. */
    private int command(String command) throws MessagingException {
        if (Addresses.isAscii(command)) {
            return simpleCommand(command);
        }
        beforeSend(command);
        return simpleCommand(command.getBytes(StandardCharsets.UTF_8));
    }

    /** Names the step and asks {@link TransportSecurity} whether the command may be sent at all. */
    private void beforeSend(String command) throws MessagingException {
        SmtpStep next = SmtpStep.ofCommand(command);
        SendmailException refusal = security.beforeCommand(next, tlsActive, authenticated, server);
        if (refusal != null) {
            throw new SmtpRefusal(refusal);
        }
        step = next;
        if (next == SmtpStep.AUTH) {
            authAttempted = true;
        } else if (next == SmtpStep.DATA) {
            dataCode = -1;
            dataReply = "";
        }
        lastCode = -1;
        lastReply = "";
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        if (step == SmtpStep.CONNECT) {
            step = SmtpStep.GREETING;
        }
        boundReplies();
        int code = super.readServerResponse();
        lastCode = code;
        lastReply = getLastServerResponse();
        if (step == SmtpStep.STARTTLS && code == 220 && injectedAfterStartTls()) {
            // anything the server sent after its 220 could be read later as if it came through TLS
            broken = true;
            throw new SmtpRefusal(new TransportSecurityRequiredException(
                    "the SMTP server " + server + " sent data after its 220 reply to STARTTLS, before TLS began: "
                                                                        + "refused as a STARTTLS injection; nothing more was sent",
                    SmtpStep.STARTTLS.name(), 220, false, null, null));
        }
        if (step == SmtpStep.AUTH && code == 235) {
            authenticated = true;
        } else if (step == SmtpStep.DATA) {
            dataCode = code;
            dataReply = lastReply;
        }
        return code;
    }

    /** Puts a {@link BoundedReplyReader} in place of Angus's reader (again after STARTTLS) and starts its clock. */
    private void boundReplies() {
        if (LINE_INPUT == null || SERVER_INPUT == null) {
            return;
        }
        Object reader = LINE_INPUT.get(this);
        if (reader instanceof BoundedReplyReader bounded) {
            bounded.startReply();
        } else if (reader != null) {
            LINE_INPUT.set(this, new BoundedReplyReader((InputStream) SERVER_INPUT.get(this), timeout));
        }
    }

    private boolean injectedAfterStartTls() throws MessagingException {
        if (SERVER_INPUT == null) {
            return false;
        }
        try {
            InputStream in = (InputStream) SERVER_INPUT.get(this);
            return in != null && in.available() > 0;
        } catch (IOException e) {
            throw new MessagingException("cannot read from " + server, e);
        }
    }

    /**
     * Runs one mail transaction: MAIL FROM, one RCPT TO per recipient, DATA, the message, and the final dot. Where the
     * server offers PIPELINING (RFC 2920) MAIL FROM, the RCPTs and DATA are sent without waiting and their replies are
     * read in order; the message itself is only sent after every reply has been read. Where it offers CHUNKING (RFC
     * 3030) but not PIPELINING, a message of up to 1 MB goes as one {@code BDAT ... LAST} instead of DATA and the dot.
     *
     * @throws SendmailException on any refusal or failure; after a refusal the transaction is reset and the connection
     *                           stays usable, after a failure it is {@link #isBroken() broken}
     */
    synchronized Delivery send(OutgoingMail mail, boolean allowPartialDelivery) throws SendmailException {
        Envelope envelope = mail.envelope();
        MimeMessage message = mail.message();
        List<RecipientStatus> statuses = new ArrayList<>(envelope.recipients().size());
        transactions++;
        try {
            boolean pipelined = SERVER_OUTPUT != null && supportsExtension("PIPELINING") && !envelope.needsSmtpUtf8();
            // without PIPELINING, CHUNKING (RFC 3030) saves the round trip of DATA: the message goes as one BDAT
            boolean chunking = !pipelined && SERVER_OUTPUT != null && supportsExtension("CHUNKING");
            // a message of up to 1 MB is serialized once, for SIZE and for sending; a larger one is streamed
            byte[] buffered = chunking || sizeLimit() >= 0 ? ChunkBuffer.of(message, NOT_TRANSMITTED) : null;
            boolean chunk = chunking && buffered != null;
            String mailFrom = mailFromCommand(envelope, message, buffered, chunk);
            boolean dataAccepted = false;
            if (pipelined) {
                dataAccepted = pipelinedEnvelope(mailFrom, envelope, allowPartialDelivery, statuses);
            } else {
                sequentialEnvelope(mailFrom, envelope, allowPartialDelivery, statuses);
            }
            if (chunk) {
                return lastChunk(buffered, message, statuses);
            }
            OutputStream data;
            if (dataAccepted) {
                // DATA went out pipelined and was answered 354: the message follows on the same stream Angus writes
                data = new SMTPOutputStream((OutputStream) SERVER_OUTPUT.get(this));
            } else {
                try {
                    data = data();
                } catch (SMTPSendFailedException e) {
                    // Angus has sent RSET after the refused DATA; a 421 or a lost connection ends this one
                    if (dataCode == 421 || dataCode < 0 || lastCode != 250) {
                        broken = true;
                    }
                    throw SmtpFailures.reply(SmtpStep.DATA, dataCode, dataReply, statuses, server, e);
                }
            }
            step = SmtpStep.CONTENT;
            if (buffered != null) {
                data.write(buffered);
            } else {
                message.writeTo(data, NOT_TRANSMITTED);
            }
            ((SMTPOutputStream) data).ensureAtBOL();
            int code = simpleCommand(".");
            if (code != 250) {
                throw refused(SmtpStep.DATA_END, code, statuses);
            }
            return new Delivery(statuses, message.getMessageID(), SmtpFailures.text(lastReply));
        } catch (MessagingException e) {
            broken = true;
            throw SmtpFailures.of(e, this, statuses);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(step, e, statuses, server);
        } finally {
            lastUsedNanos = System.nanoTime();
        }
    }

    /** MAIL FROM and each RCPT TO, one reply at a time; DATA is left to the caller. */
    private void sequentialEnvelope(
            String mailFrom, Envelope envelope, boolean allowPartialDelivery, List<RecipientStatus> statuses)
            throws MessagingException, SendmailException {
        int code = command(mailFrom);
        if (code != 250) {
            throw refused(SmtpStep.MAIL, code, statuses);
        }
        for (InternetAddress recipient : envelope.recipients()) {
            code = command("RCPT TO:<" + recipient.getAddress() + ">");
            if (code == 421 || code < 0) {
                throw refused(SmtpStep.RCPT, code, statuses);
            }
            statuses.add(new RecipientStatus(recipient.getAddress(), code, SmtpFailures.text(lastReply)));
        }
        checkRecipients(statuses, allowPartialDelivery);
    }

    /**
     * MAIL FROM, each RCPT TO and (unless every recipient must be accepted first) DATA, sent without waiting, then their
     * replies in order. Every reply is read before anything else is sent; no message data is sent unless a recipient was
     * accepted and DATA was answered 354.
     *
     * @return whether DATA was sent and answered 354 (else DATA is left to the caller)
     */
    private boolean pipelinedEnvelope(
            String mailFrom, Envelope envelope, boolean allowPartialDelivery, List<RecipientStatus> statuses)
            throws MessagingException, IOException, SendmailException {
        // none waits for a reply, and all leave in one write (one TCP segment, one TLS record)
        try {
            OutputStream out = (OutputStream) SERVER_OUTPUT.get(this);
            writeWithoutFlush(out, mailFrom);
            for (InternetAddress recipient : envelope.recipients()) {
                writeWithoutFlush(out, "RCPT TO:<" + recipient.getAddress() + ">");
            }
            dataCode = -1;
            dataReply = "";
            if (allowPartialDelivery) {
                writeWithoutFlush(out, "DATA");
            }
            out.flush();
        } catch (MessagingException | IOException e) {
            // no reply has been read: the server has not accepted MAIL FROM
            if (!(e instanceof SmtpRefusal)) {
                step = SmtpStep.MAIL;
            }
            throw e;
        }

        step = SmtpStep.MAIL;
        int mailCode = readServerResponse();
        String mailReply = lastReply;
        if (mailCode == 421 || mailCode < 0) {
            throw refused(SmtpStep.MAIL, mailCode, statuses);
        }
        for (InternetAddress recipient : envelope.recipients()) {
            step = SmtpStep.RCPT;
            int code = readServerResponse();
            if (code == 421 || code < 0) {
                throw refused(SmtpStep.RCPT, code, statuses);
            }
            statuses.add(new RecipientStatus(recipient.getAddress(), code, SmtpFailures.text(lastReply)));
        }
        if (allowPartialDelivery) {
            step = SmtpStep.DATA;
            readServerResponse();
            if (dataCode == 421 || dataCode < 0) {
                throw refused(SmtpStep.DATA, dataCode, statuses);
            }
            if (dataCode == 354 && (mailCode != 250 || statuses.stream().noneMatch(RecipientStatus::accepted))) {
                // the server waits for a message it has no recipient for: the connection is ended, nothing is sent
                broken = true;
            }
        }
        if (mailCode != 250) {
            // the RCPT replies only echo the refused MAIL FROM
            statuses.clear();
            lastReply = mailReply;
            throw refused(SmtpStep.MAIL, mailCode, statuses);
        }
        checkRecipients(statuses, allowPartialDelivery);
        if (allowPartialDelivery && dataCode != 354) {
            throw refused(SmtpStep.DATA, dataCode, statuses);
        }
        return allowPartialDelivery;
    }

    /** Writes one pipelined command, checked like every other, into Angus's buffered output to the server. */
    private void writeWithoutFlush(OutputStream out, String command) throws MessagingException, IOException {
        beforeSend(command);
        if (!Addresses.isAscii(command) || command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
            throw new MessagingException("a command to pipeline is not one line of ASCII: " + command);
        }
        out.write(command.getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
    }

    /** No recipient accepted, or (with allowPartialDelivery=false) not all: reset, and refuse before any data. */
    private void checkRecipients(List<RecipientStatus> statuses, boolean allowPartialDelivery) throws SendmailException {
        long accepted = statuses.stream().filter(RecipientStatus::accepted).count();
        if (accepted == 0 || !allowPartialDelivery && accepted < statuses.size()) {
            reset();
            throw SmtpFailures.recipientsRefused(statuses, allowPartialDelivery, server);
        }
    }

    /**
     * Sends the message as {@code BDAT <size> LAST} and its bytes, in one write, and reads the one reply: the server's
     * answer to the whole message.
     */
    private Delivery lastChunk(byte[] chunk, MimeMessage message, List<RecipientStatus> statuses)
            throws MessagingException, IOException, SendmailException {
        OutputStream out = (OutputStream) SERVER_OUTPUT.get(this);
        writeWithoutFlush(out, "BDAT " + chunk.length + " LAST");
        // until every byte has left, the server cannot have the message
        step = SmtpStep.CONTENT;
        out.write(chunk);
        out.flush();
        step = SmtpStep.DATA_END;
        int code = readServerResponse();
        if (code != 250) {
            SendmailException failure = SmtpFailures.reply(SmtpStep.DATA_END, code, lastReply, statuses, server);
            if (code == 421 || code < 0) {
                broken = true;
            } else {
                reset();
            }
            throw failure;
        }
        return new Delivery(statuses, message.getMessageID(), SmtpFailures.text(lastReply));
    }

    /**
     * @param buffered the message's bytes (CRLF, not dot-stuffed), or null where it was not buffered
     * @param chunk    whether it goes as BDAT, which is not dot-stuffed; SIZE is the number of bytes sent either way
     */
    private String mailFromCommand(Envelope envelope, MimeMessage message, byte[] buffered, boolean chunk)
            throws SendmailException, MessagingException, IOException {
        StringBuilder command = new StringBuilder("MAIL FROM:<").append(envelope.sender().getAddress()).append('>');
        if (envelope.needsSmtpUtf8()) {
            if (!supportsExtension("SMTPUTF8")) {
                throw SmtpFailures.refusedLocally("the envelope has a non-ASCII address and the SMTP server " + server
                                                  + " does not offer SMTPUTF8; MAIL FROM was not sent");
            }
            command.append(" SMTPUTF8");
        }
        long limit = sizeLimit();
        if (limit >= 0) {
            long size = chunk ? buffered.length
                    : buffered != null ? MessageSize.of(buffered) : MessageSize.of(message, NOT_TRANSMITTED);
            if (limit > 0 && size > limit) {
                throw SmtpFailures.refusedLocally("the message is " + size + " bytes and the SMTP server " + server
                                                  + " accepts at most " + limit + " (SIZE); MAIL FROM was not sent");
            }
            command.append(" SIZE=").append(size);
        }
        return command.toString();
    }

    /** A refusal: ends the transaction with RSET, or marks the connection broken when the server is closing it. */
    private SendmailException refused(SmtpStep at, int code, List<RecipientStatus> statuses) {
        SendmailException failure = SmtpFailures.reply(at, code, lastReply, statuses, server);
        if (code == 421 || code < 0) {
            broken = true;
        } else if (at != SmtpStep.DATA_END) {
            reset();
        }
        return failure;
    }

    /** Ends a refused transaction so that the connection can carry the next one; a failed RSET breaks it. */
    private void reset() {
        if (broken) {
            return;
        }
        try {
            if (simpleCommand("RSET") != 250) {
                broken = true;
            }
        } catch (MessagingException e) {
            broken = true;
        }
    }

    private long sizeLimit() {
        String size = getExtensionParameter("SIZE");
        if (size == null || size.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(size.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Sends QUIT (unless the connection failed) and closes the socket; never throws. */
    void quietlyClose() {
        try {
            close();
        } catch (MessagingException | RuntimeException e) {
            // the socket is closed either way
        }
    }

    SmtpStep step() {
        return step;
    }

    int lastCode() {
        return lastCode;
    }

    String lastReply() {
        return lastReply;
    }

    boolean authAttempted() {
        return authAttempted;
    }

    boolean tlsActive() {
        return tlsActive;
    }

    String server() {
        return server;
    }

    /** @return whether the connection failed or the server is closing it: it must not carry another message */
    boolean isBroken() {
        return broken;
    }

    /**
     * @return whether the last send failed because the connection was lost (or the server said 421) before MAIL FROM
     *         was accepted: nothing of that message reached the server, so it may be sent again on another connection
     */
    boolean lostBeforeMailAccepted() {
        return broken && step == SmtpStep.MAIL;
    }

    /** @return whether this connection was opened before the given {@link System#nanoTime()} */
    boolean openedBefore(long nanoTime) {
        return openedNanos - nanoTime < 0;
    }

    /** @return how many messages this connection has been given */
    int transactions() {
        return transactions;
    }

    /** @return nanoseconds since the connection last finished a message, or since it opened */
    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }
}
