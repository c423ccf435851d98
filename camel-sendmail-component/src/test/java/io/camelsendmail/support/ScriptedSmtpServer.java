package io.camelsendmail.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A loopback SMTP server for tests that plays a script of replies, can misbehave at any step, and records every line
 * it received (and whether TLS was up at the time). Replies are matched on the start of the command, case-insensitive;
 * the first matching rule wins. A reply may be one of the actions {@link #CLOSE} or {@link #SILENT}.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** Close the connection instead of replying. */
    public static final String CLOSE = "<close>";
    /** Never reply; keep the connection open until the client gives up. */
    public static final String SILENT = "<silent>";
    /** Inside a reply: flush what came before, wait 100 ms, then send the rest (a reply split across packets). */
    public static final String PAUSE = "<pause>";
    /** Before a reply: send it one byte every 250 ms. */
    public static final String DRIP = "<drip>";
    /** A reply line that never ends: megabytes of text without a line break, until the client closes. */
    public static final String ENDLESS_LINE = "<endless-line>";
    /** For DATA: answer 354, then stop reading (the client's writes fill the buffers and block). */
    public static final String STALL_AFTER_354 = "<354-then-stall>";
    /** After a reply: close the connection once it is written (a server that answers, then goes). */
    public static final String THEN_CLOSE = "<then-close>";
    /** Matches the end of the message data (the lone dot). */
    public static final String END_OF_DATA = "<end-of-data>";
    /** Matches the moment the connection is accepted. */
    public static final String GREETING = "<greeting>";

    /**
     * One line the server received; {@code batched} when it had already arrived, unanswered, together with the line
     * before it (the client pipelined them).
     */
    /** A message accepted: on which connection, its data, and when (epoch milliseconds), just before the 250 went out. */
    public record Accepted(int connection, String data, long millis) {
    }

    public record Received(int connection, String line, boolean tls, boolean batched) {
    }

    private static final Pattern BODY = Pattern.compile("\r\n\r\n(.*)\r\n$", Pattern.DOTALL);

    private final ServerSocket serverSocket;
    private final SSLContext startTls;
    private final List<String[]> rules = new CopyOnWriteArrayList<>();
    private final List<String> ehloExtensions = new CopyOnWriteArrayList<>();
    // synchronized rather than copy-on-write: load tests record hundreds of thousands of lines
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
    private final List<String> wireData = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Map<Integer, Integer> transactionsPerConnection = new ConcurrentHashMap<>();
    private final Map<Socket, OutputStream> outputs = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final Map<String, Long> pauses = new ConcurrentHashMap<>();
    private final Map<Integer, ByteArrayOutputStream> chunks = new ConcurrentHashMap<>();
    private volatile BiFunction<Integer, String, String> dynamicReply;
    private volatile int connectionLimit;
    private volatile boolean closed;

    private ScriptedSmtpServer(SSLContext implicitTls, SSLContext startTls, int port) throws IOException {
        this.startTls = startTls;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.serverSocket = implicitTls != null
                ? implicitTls.getServerSocketFactory().createServerSocket()
                : new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(loopback, port), 50);
        Thread acceptor = new Thread(this::acceptLoop, "scripted-smtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A plain server; STARTTLS is answered 454 unless {@link #withStartTls} is used. */
    public static ScriptedSmtpServer start() throws IOException {
        return new ScriptedSmtpServer(null, null, 0);
    }

    /** A plain server on a given port: a server "restarted" where an earlier one listened. */
    public static ScriptedSmtpServer startOn(int port) throws IOException {
        return new ScriptedSmtpServer(null, null, port);
    }

    /** A server that offers STARTTLS with the given server context. */
    public static ScriptedSmtpServer withStartTls(SSLContext context) throws IOException {
        ScriptedSmtpServer server = new ScriptedSmtpServer(null, context, 0);
        server.ehloExtensions.add("STARTTLS");
        return server;
    }

    /** A server that speaks TLS from the first byte. */
    public static ScriptedSmtpServer withImplicitTls(SSLContext context) throws IOException {
        return new ScriptedSmtpServer(context, null, 0);
    }

    /** Adds a rule: a command starting with {@code prefix} gets {@code reply} (CRLF-separated lines allowed). */
    public ScriptedSmtpServer on(String prefix, String reply) {
        rules.add(new String[] { prefix.toUpperCase(Locale.ROOT), reply });
        return this;
    }

    /** Waits {@code millis} before answering a command that starts with {@code prefix}. */
    public ScriptedSmtpServer pauseBefore(String prefix, long millis) {
        pauses.put(prefix.toUpperCase(Locale.ROOT), millis);
        return this;
    }

    /** Greets a connection beyond {@code max} open ones with a 421 and closes it. */
    public ScriptedSmtpServer limitConnections(int max) {
        this.connectionLimit = max;
        return this;
    }

    /** A reply computed from the connection number and the command; null falls through to the rules. */
    public ScriptedSmtpServer dynamic(BiFunction<Integer, String, String> reply) {
        this.dynamicReply = reply;
        return this;
    }

    /** Extensions listed in the EHLO reply, such as {@code AUTH PLAIN LOGIN} or {@code SIZE 1000}. */
    public ScriptedSmtpServer extensions(String... extensions) {
        Collections.addAll(ehloExtensions, extensions);
        return this;
    }

    public ScriptedSmtpServer withoutExtension(String extension) {
        ehloExtensions.removeIf(e -> e.equalsIgnoreCase(extension));
        return this;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public List<Received> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** The received command lines (AUTH continuation lines included), without message data. */
    public List<String> commands() {
        return received().stream().map(Received::line).toList();
    }

    /** Whether a command starting with this prefix was received. */
    public boolean sawCommand(String prefix) {
        String p = prefix.toUpperCase(Locale.ROOT);
        return received().stream().anyMatch(r -> r.line().toUpperCase(Locale.ROOT).startsWith(p));
    }

    /**
     * The data of every DATA command as it arrived after the 354, dot-stuffed, without the final dot line: what a
     * client's SIZE parameter is compared with.
     */
    public List<String> wireData() {
        return new ArrayList<>(wireData);
    }

    /** The body of each message accepted, in order: what follows the header section, without its last line break. */
    public List<String> bodies() {
        return messages().stream().map(data -> {
            Matcher m = BODY.matcher(data);
            if (!m.find()) {
                throw new AssertionError("message data has no body: " + data);
            }
            return m.group(1);
        }).toList();
    }

    /** The message data of every accepted end-of-data (or last BDAT chunk), dot-unstuffed, CRLF line ends. */
    public List<String> messages() {
        return accepted().stream().map(Accepted::data).toList();
    }

    /** Every accepted message with its connection and time. */
    public List<Accepted> accepted() {
        synchronized (accepted) {
            return new ArrayList<>(accepted);
        }
    }

    private void accept(int connection, String data) {
        accepted.add(new Accepted(connection, data, System.currentTimeMillis()));
    }

    public int connections() {
        return connections.get();
    }

    /** The most sessions (from accepting the connection to QUIT or its close) that were open at the same time. */
    public int maxOpenConnections() {
        return maxOpen.get();
    }

    /**
     * Ends every open connection as a server does with idle clients: writes {@code farewell} (such as a 421 reply;
     * null for none) and closes the socket.
     */
    public void dropConnections(String farewell) {
        for (Map.Entry<Socket, OutputStream> open : outputs.entrySet()) {
            try {
                if (farewell != null) {
                    open.getValue().write((farewell + "\r\n").getBytes(StandardCharsets.UTF_8));
                    open.getValue().flush();
                }
                open.getKey().close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** Connections accepted and not yet closed by either side. */
    public int openConnections() {
        open.removeIf(Socket::isClosed);
        return open.size();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                // replies leave at once, as a server's do when the client pipelines (no Nagle stall per reply)
                socket.setTcpNoDelay(true);
                int number = connections.incrementAndGet();
                open.add(socket);
                int openNow = sessions.incrementAndGet();
                maxOpen.accumulateAndGet(openNow, Math::max);
                // counted when accepted, as Postfix's anvil does: of two connections at once, one is refused
                boolean overLimit = connectionLimit > 0 && openNow > connectionLimit;
                Thread t = new Thread(() -> serve(socket, number, overLimit), "scripted-smtp-" + number);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int number, boolean overLimit) {
        Socket current = socket;
        boolean quit = false;
        try {
            current.setSoTimeout(30_000);
            InputStream in = current.getInputStream();
            OutputStream out = current.getOutputStream();
            boolean tls = socket instanceof SSLSocket;
            outputs.put(socket, out);
            if (overLimit) {
                // as Postfix's anvil does: the greeting says why, and the connection ends
                reply(out, "421 4.7.0 scripted.test Error: too many concurrent SMTP connections");
                return;
            }
            if (!reply(out, replyFor(number, GREETING, "220 scripted.test ESMTP ready"))) {
                return;
            }
            boolean waiting = false;
            int recipients = 0;
            while (!closed) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                received.add(new Received(number, line, tls, waiting));
                String upper = line.toUpperCase(Locale.ROOT);
                String verb = upper.split(" ", 2)[0];
                String reply;
                switch (verb) {
                    case "EHLO" -> reply = replyFor(number, line, ehloReply(tls));
                    case "HELO" -> reply = replyFor(number, line, "250 scripted.test");
                    case "MAIL" -> {
                        reply = replyFor(number, line, "250 2.1.0 sender ok");
                        recipients = 0;
                    }
                    case "RCPT" -> {
                        reply = replyFor(number, line, "250 2.1.5 recipient ok");
                        if (reply.startsWith("250")) {
                            recipients++;
                        }
                    }
                    case "RSET", "NOOP" -> reply = replyFor(number, line, "250 2.0.0 ok");
                    case "QUIT" -> {
                        quit = true;
                        sessions.decrementAndGet();
                        reply(out, replyFor(number, line, "221 2.0.0 bye"));
                        return;
                    }
                    case "STARTTLS" -> {
                        reply = replyFor(number, line, startTls != null && !tls ? "220 2.0.0 go ahead" : "454 4.7.0 TLS not available");
                        if (!reply(out, reply)) {
                            return;
                        }
                        if (reply.startsWith("220") && startTls != null) {
                            SSLSocket ssl = (SSLSocket) startTls.getSocketFactory()
                                    .createSocket(current, null, current.getPort(), true);
                            ssl.setUseClientMode(false);
                            ssl.startHandshake();
                            current = ssl;
                            in = ssl.getInputStream();
                            out = ssl.getOutputStream();
                            tls = true;
                            outputs.put(socket, out);
                        }
                        continue;
                    }
                    case "AUTH" -> reply = replyFor(number, line, "235 2.7.0 authenticated");
                    case "BDAT" -> {
                        // BDAT <size> [LAST]: the chunk's bytes follow the command at once
                        String[] parts = line.split(" ");
                        byte[] bytes = in.readNBytes(Integer.parseInt(parts[1]));
                        chunks.computeIfAbsent(number, n -> new ByteArrayOutputStream()).write(bytes);
                        boolean last = parts.length > 2 && parts[2].equalsIgnoreCase("LAST");
                        if (last && recipients == 0) {
                            // RFC 3030: the data of a transaction without a recipient is discarded
                            chunks.remove(number);
                            reply = "554 5.5.1 Error: no valid recipients";
                        } else if (last) {
                            String data = chunks.remove(number).toString(StandardCharsets.UTF_8);
                            reply = replyFor(number, END_OF_DATA, "250 2.0.0 queued as Q" + number + "x"
                                                                  + transactionsPerConnection.merge(number, 1, Integer::sum));
                            if (reply.startsWith("250")) {
                                accept(number, data);
                            }
                        } else {
                            reply = replyFor(number, line, "250 2.0.0 chunk received");
                        }
                    }
                    case "DATA" -> {
                        reply = replyFor(number, line, "354 end with <CRLF>.<CRLF>");
                        waiting = false;
                        if (!reply(out, reply) || STALL_AFTER_354.equals(reply)) {
                            return;
                        }
                        if (reply.startsWith("354")) {
                            StringBuilder wire = new StringBuilder();
                            String data = readData(in, wire);
                            if (data == null) {
                                return;
                            }
                            wireData.add(wire.toString());
                            String end = replyFor(number, END_OF_DATA, "250 2.0.0 queued as Q" + number + "x"
                                                                       + transactionsPerConnection.merge(number, 1, Integer::sum));
                            if (end.startsWith("250")) {
                                accept(number, data);
                            }
                            // whether the client sent the next command with the end of the data
                            waiting = in.available() > 0;
                            if (!reply(out, end)) {
                                return;
                            }
                        }
                        continue;
                    }
                    default -> reply = replyFor(number, line, "500 5.5.1 unknown command");
                }
                // whether the client sent the next command before this reply
                waiting = in.available() > 0;
                if (!reply(out, reply)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            if (!quit) {
                sessions.decrementAndGet();
            }
            outputs.remove(socket);
            try {
                current.close();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private String ehloReply(boolean tls) {
        List<String> lines = new ArrayList<>();
        lines.add("scripted.test greets you");
        for (String ext : ehloExtensions) {
            if (!(tls && ext.equalsIgnoreCase("STARTTLS"))) {
                lines.add(ext);
            }
        }
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            reply.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
            if (i < lines.size() - 1) {
                reply.append("\r\n");
            }
        }
        return reply.toString();
    }

    private String replyFor(int connection, String command, String fallback) {
        String upperCommand = command.toUpperCase(Locale.ROOT);
        pauses.forEach((prefix, millis) -> {
            if (upperCommand.startsWith(prefix)) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        BiFunction<Integer, String, String> dynamic = dynamicReply;
        if (dynamic != null) {
            String reply = dynamic.apply(connection, command);
            if (reply != null) {
                return reply;
            }
        }
        String upper = command.toUpperCase(Locale.ROOT);
        for (String[] rule : rules) {
            if (upper.startsWith(rule[0])) {
                return rule[1];
            }
        }
        return fallback;
    }

    /** @return false when the connection is to end */
    private boolean reply(OutputStream out, String reply) throws IOException {
        if (CLOSE.equals(reply)) {
            return false;
        }
        if (ENDLESS_LINE.equals(reply)) {
            byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
            out.write("250-".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 512 && !closed; i++) {
                out.write(chunk);
            }
            return false;
        }
        if (STALL_AFTER_354.equals(reply)) {
            out.write("354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply(out, SILENT);
        }
        if (reply.startsWith(DRIP)) {
            for (byte b : (reply.substring(DRIP.length()) + "\r\n").getBytes(StandardCharsets.UTF_8)) {
                out.write(b);
                out.flush();
                pause(250);
            }
            return true;
        }
        if (reply.contains(PAUSE)) {
            String[] parts = reply.split(java.util.regex.Pattern.quote(PAUSE));
            for (int i = 0; i < parts.length; i++) {
                out.write(parts[i].getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (i < parts.length - 1) {
                    pause(100);
                }
            }
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        }
        if (reply.endsWith(THEN_CLOSE)) {
            reply(out, reply.substring(0, reply.length() - THEN_CLOSE.length()));
            return false;
        }
        if (SILENT.equals(reply)) {
            while (!closed) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        // 421: the server closes the transmission channel (RFC 5321, 3.8), and reads nothing more
        return !reply.startsWith("421");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (line.size() > 100_000) {
                throw new IOException("line too long");
            }
            line.write(b);
        }
        return null;
    }

    private static String readData(InputStream in, StringBuilder wire) throws IOException {
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) {
                return data.toString();
            }
            wire.append(line).append("\r\n");
            data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            // closed
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closed
            }
        }
    }
}
