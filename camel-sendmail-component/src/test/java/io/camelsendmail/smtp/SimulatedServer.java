package io.camelsendmail.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocketFactory;

/**
 * An SMTP server played in memory, as a {@link SmtpTransport}: what the client flushes is processed command by
 * command, as a server reading the socket would, and each command's reply is drawn at random among what real servers
 * do: the normal reply, a refusal (4xx, 5xx), a 421 and a close, a close without a word, a reset that loses the replies
 * not yet read, a close right after taking a message before its 250 left. It also sends lines nothing asked for: a
 * stray line while the client has nothing in flight, a flood of 250s after EHLO. Every fact the invariants need is
 * recorded in the {@link World} the runs share.
 */
final class SimulatedServer implements SmtpTransport {

    private static final Pattern MESSAGE_ID = Pattern.compile("Message-ID: <(m\\d+)@sim>");

    /** How one command is answered. */
    enum Fault { NONE, REFUSE_5XX, REFUSE_4XX, CLOSING_421, DROP, RESET, DROP_AFTER_TAKING }

    private final Random random;
    private final World world;
    private final int connection;
    private final boolean pipelining;
    private final boolean chunking;
    /** Of 1,000 commands, how many are answered with a fault. */
    private final int faultsPerMille;
    private final ArrayDeque<SmtpReply> replies = new ArrayDeque<>();
    private final ByteArrayOutputStream unflushed = new ByteArrayOutputStream();
    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written(len);
            unflushed.write(b, off, len);
        }
    };
    /** Bytes flushed and not yet processed (a command line, or a chunk, may span flushes). */
    private byte[] input = new byte[0];
    private int inputPosition;
    /** The server no longer reads: it said 421 or closed. */
    private boolean closed;
    /** The connection was reset: nothing more can be read or written. */
    private boolean reset;
    /** Bytes the client may still write after the close before a write fails (the socket buffers). */
    private int bufferAfterClose;
    private boolean greeted;
    /** In a DATA transaction, after the 354: the content's lines until the dot. */
    private ByteArrayOutputStream data;
    private boolean mailTaken;
    private int recipientsTaken;

    SimulatedServer(Random random, World world, int connection, boolean pipelining, boolean chunking, int faultsPerMille) {
        this.random = random;
        this.world = world;
        this.connection = connection;
        this.pipelining = pipelining;
        this.chunking = chunking;
        this.faultsPerMille = faultsPerMille;
        replies.add(new SmtpReply(220, "220 sim.test ESMTP"));
    }

    private void written(int length) throws IOException {
        if (reset) {
            throw new IOException("Connection reset by peer");
        }
        if (closed) {
            bufferAfterClose -= length;
            if (bufferAfterClose < 0) {
                throw new IOException("Broken pipe");
            }
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        output.write(bytes, 0, bytes.length);
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void flush() throws IOException {
        if (reset) {
            throw new IOException("Connection reset by peer");
        }
        byte[] flushed = unflushed.toByteArray();
        unflushed.reset();
        world.noteWritten(flushed);
        if (closed) {
            // the bytes went nowhere
            return;
        }
        byte[] rest = new byte[input.length - inputPosition + flushed.length];
        System.arraycopy(input, inputPosition, rest, 0, input.length - inputPosition);
        System.arraycopy(flushed, 0, rest, input.length - inputPosition, flushed.length);
        input = rest;
        inputPosition = 0;
        process();
    }

    @Override
    public SmtpReply readReply() throws IOException {
        if (reset) {
            throw new IOException("Connection reset by peer");
        }
        SmtpReply reply = replies.pollFirst();
        if (reply == null) {
            if (closed) {
                throw new ReplyReader.ClosedByServer();
            }
            // the server waits for input that the client never flushed: a client that would hang here is wrong
            world.hangs++;
            throw new SocketTimeoutException("the client waited for a reply to nothing it had flushed");
        }
        if (replies.isEmpty() && !closed && inputPosition == input.length && unflushed.size() == 0 && data == null
            && greeted && random.nextInt(1000) < faultsPerMille / 4) {
            // every command is answered and the client sent nothing more: a line nobody asked for
            replies.add(new SmtpReply(250, "250 2.0.0 stray"));
            world.strays++;
        }
        return reply;
    }

    @Override
    public SmtpReply readReply(int millis) throws IOException {
        return readReply();
    }

    @Override
    public boolean hasUnreadInput() {
        return !reset && !replies.isEmpty();
    }

    @Override
    public void startTls(SSLSocketFactory tls) {
        throw new UnsupportedOperationException("the simulated server offers no STARTTLS");
    }

    @Override
    public String tlsDescription() {
        return null;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Processes every complete command (and chunk, and data line) in the input, in order. */
    private void process() {
        while (!closed) {
            if (data != null) {
                String line = nextLine();
                if (line == null) {
                    return;
                }
                if (line.equals(".")) {
                    String id = messageId(data.toString(StandardCharsets.UTF_8));
                    data = null;
                    endOfData(id);
                } else {
                    data.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                continue;
            }
            int mark = inputPosition;
            String line = nextLine();
            if (line == null) {
                return;
            }
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (verb.equals("BDAT")) {
                String[] parts = line.split(" ");
                int size = Integer.parseInt(parts[1]);
                if (input.length - inputPosition < size) {
                    // the chunk has not all come: wait for more
                    inputPosition = mark;
                    return;
                }
                String chunk = new String(input, inputPosition, size, StandardCharsets.UTF_8);
                inputPosition += size;
                endOfData(messageId(chunk));
                continue;
            }
            command(verb);
        }
    }

    private void command(String verb) {
        switch (verb) {
            case "EHLO" -> {
                StringBuilder ehlo = new StringBuilder("250-sim.test\r\n");
                if (pipelining) {
                    ehlo.append("250-PIPELINING\r\n");
                }
                if (chunking) {
                    ehlo.append("250-CHUNKING\r\n");
                }
                ehlo.append("250 8BITMIME");
                replies.add(new SmtpReply(250, ehlo.toString().replace("\r\n", "\n")));
                greeted = true;
                if (random.nextInt(1000) < faultsPerMille / 10) {
                    // 250s before MAIL was even sent
                    for (int i = 0; i < 3; i++) {
                        replies.add(new SmtpReply(250, "250 2.0.0 ok"));
                    }
                    world.floods++;
                }
            }
            case "RSET" -> {
                Fault fault = fault(false);
                mailTaken = false;
                recipientsTaken = 0;
                switch (fault) {
                    case CLOSING_421 -> closing();
                    case DROP, DROP_AFTER_TAKING -> drop();
                    case RESET -> reset();
                    default -> reply(250, "2.0.0 ok");
                }
            }
            case "MAIL" -> {
                recipientsTaken = 0;
                mailTaken = false;
                answer(fault(false), 250, "2.1.0 sender ok", 550, "5.1.0 sender refused", 451, "4.3.0 try later");
                mailTaken = lastCode() == 250;
            }
            case "RCPT" -> {
                if (!mailTaken) {
                    reply(503, "5.5.1 need MAIL");
                    return;
                }
                answer(fault(false), 250, "2.1.5 recipient ok", 550, "5.1.1 no such user", 450, "4.2.0 mailbox busy");
                if (lastCode() == 250) {
                    recipientsTaken++;
                }
            }
            case "DATA" -> {
                if (!mailTaken || recipientsTaken == 0) {
                    reply(554, "5.5.1 no valid recipients");
                    return;
                }
                answer(fault(false), 354, "go ahead", 554, "5.7.1 not now", 451, "4.3.0 try later");
                if (lastCode() == 354) {
                    data = new ByteArrayOutputStream();
                }
            }
            case "QUIT" -> {
                if (!replies.isEmpty()) {
                    // it came with commands whose replies the client has not read yet
                    world.pipelinedQuits++;
                }
                reply(221, "2.0.0 bye");
                closed = true;
            }
            default -> reply(500, "5.5.1 unknown command");
        }
    }

    /** The end of a message's data: the dot, or BDAT LAST with the message. */
    private void endOfData(String id) {
        if (!mailTaken || recipientsTaken == 0) {
            // RFC 3030: the data of a transaction without a recipient is discarded
            reply(554, "5.5.1 no valid recipients");
            mailTaken = false;
            return;
        }
        mailTaken = false;
        recipientsTaken = 0;
        Fault fault = fault(true);
        switch (fault) {
            case NONE -> {
                world.taken(id, connection);
                world.acknowledged(id);
                reply(250, "2.0.0 queued as " + id);
            }
            case DROP_AFTER_TAKING -> {
                // the message is the server's, and its 250 never leaves
                world.taken(id, connection);
                drop();
            }
            case REFUSE_5XX -> {
                world.refusedPermanently(id);
                reply(554, "5.6.0 content refused");
            }
            case REFUSE_4XX -> reply(451, "4.3.0 try later");
            case CLOSING_421 -> closing();
            case DROP -> drop();
            case RESET -> reset();
        }
    }

    private Fault fault(boolean endOfData) {
        if (random.nextInt(1000) >= faultsPerMille) {
            return Fault.NONE;
        }
        Fault[] faults = Fault.values();
        Fault fault = faults[1 + random.nextInt(faults.length - 1)];
        return fault == Fault.DROP_AFTER_TAKING && !endOfData ? Fault.DROP : fault;
    }

    private void answer(Fault fault, int code, String text, int permanent, String permanentText, int transientCode,
                        String transientText) {
        switch (fault) {
            case NONE -> reply(code, text);
            case REFUSE_5XX -> reply(permanent, permanentText);
            case REFUSE_4XX -> reply(transientCode, transientText);
            case CLOSING_421 -> closing();
            case DROP, DROP_AFTER_TAKING -> drop();
            case RESET -> reset();
        }
    }

    private int lastCode() {
        SmtpReply last = replies.peekLast();
        return closed || last == null ? -1 : last.code();
    }

    private void reply(int code, String text) {
        replies.add(new SmtpReply(code, code + " " + text));
    }

    private void closing() {
        reply(421, "4.3.2 sim.test shutting down");
        world.closings++;
        close(true);
    }

    private void drop() {
        world.drops++;
        close(false);
    }

    private void reset() {
        world.resets++;
        world.ended(connection, false);
        reset = true;
        closed = true;
        replies.clear();
    }

    private void close(boolean said421) {
        closed = true;
        world.ended(connection, said421);
        bufferAfterClose = random.nextInt(3) == 0 ? 0 : random.nextInt(64 * 1024);
    }

    /** @return the next line of the input without its CRLF, or null when no whole line is there yet */
    private String nextLine() {
        for (int i = inputPosition; i < input.length - 1; i++) {
            if (input[i] == '\r' && input[i + 1] == '\n') {
                String line = new String(input, inputPosition, i - inputPosition, StandardCharsets.UTF_8);
                inputPosition = i + 2;
                return line;
            }
        }
        return null;
    }

    private static String messageId(String data) {
        Matcher m = MESSAGE_ID.matcher(data);
        if (!m.find()) {
            throw new AssertionError("no Message-ID in the data: " + data);
        }
        return m.group(1);
    }
}
