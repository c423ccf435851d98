package io.camelsendmail.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import io.camelsendmail.TransportSecurityRequiredException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection as it opens, one command at a time: the greeting, EHLO (HELO only where EHLO is not understood),
 * STARTTLS whenever offered, and AUTH where credentials are set. What it learns (the extensions, TLS, the sign-in) is
 * what {@link SmtpConnection} writes its transactions with. Every command passes {@link TransportSecurity} first.
 */
final class SmtpSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);
    private static final Logger WIRE = LoggerFactory.getLogger("io.camelsendmail.smtp.wire");
    /** More challenges than any mechanism here needs: a server that keeps asking is refused. */
    private static final int MAX_AUTH_ROUNDS = 4;
    /** How long a greeting is awaited on port 465 without implicitTls, where a TLS server says nothing. */
    static final int SMTPS_GREETING_MILLIS = 5000;
    /** QUIT's reply is a courtesy: nothing waits longer than this for it. */
    private static final int QUIT_WAIT_MILLIS = 1000;

    private final SmtpSettings settings;
    private final String server;
    private final int id;
    private SmtpTransport channel;
    private Map<String, String> extensions = Map.of();
    private SmtpStep step = SmtpStep.CONNECT;
    private boolean tls;
    private boolean authenticated;
    /** A bearer token the server refused when this session signed in. */
    private String refusedToken;
    /** The shortest EHLO exchange of the session: about one round trip to the server. */
    private long roundTripNanos;
    /** The session cannot go on: an I/O failure, a 421, an injection; it is closed without QUIT. */
    private boolean broken;

    SmtpSession(SmtpSettings settings, int id) {
        this.settings = settings;
        this.server = settings.server();
        this.id = id;
    }

    /** Connects, reads the greeting, says EHLO, upgrades to TLS when offered, and signs in when credentials are set. */
    void open(SmtpTransport.Connector connector) throws SendmailException {
        try {
            channel = connector.connect(settings);
        } catch (IOException | RuntimeException e) {
            throw SmtpFailures.io(SmtpStep.CONNECT, e, null, server);
        }
        tls = settings.implicitTls();
        LOG.debug("Connection {} to {} opened{}", id, server, tls ? " with TLS " + channel.tlsDescription() : "");
        step = SmtpStep.GREETING;
        expect(greeting(), SmtpStep.GREETING);
        ehlo();
        if (!tls && extensions.containsKey("STARTTLS")) {
            startTls();
        }
        if (settings.username() != null) {
            authenticate();
        }
        boolean unsolicited;
        try {
            unsolicited = channel.hasUnreadInput();
        } catch (IOException | RuntimeException e) {
            unsolicited = true;
        }
        if (unsolicited) {
            broken = true;
            throw new SmtpConnectException("SMTP server " + server + " sent data after its reply to " + step.description()
                                           + " that no command asked for: a protocol violation, every later reply would "
                                           + "be misread; the connection was closed",
                    step.name(), -1, true, null, null);
        }
    }

    private void ehlo() throws SendmailException {
        long start = System.nanoTime();
        SmtpReply reply = command(SmtpStep.EHLO, "EHLO " + settings.heloName(), -1);
        long took = System.nanoTime() - start;
        roundTripNanos = roundTripNanos == 0 ? took : Math.min(roundTripNanos, took);
        if (reply.code() == 250) {
            extensions = extensions(reply);
            return;
        }
        int code = reply.code();
        // HELO only where EHLO is not understood; any other refusal ends the conversation
        if (code == 500 || code == 501 || code == 502 || code == 504) {
            expect(command(SmtpStep.HELO, "HELO " + settings.heloName(), -1), SmtpStep.HELO);
            extensions = Map.of();
            return;
        }
        throw refusal(SmtpStep.EHLO, reply);
    }

    private void startTls() throws SendmailException {
        expect(command(SmtpStep.STARTTLS, "STARTTLS", -1), SmtpStep.STARTTLS);
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
        SmtpReply reply = initial == null ? command(SmtpStep.AUTH, command, -1)
                : command(SmtpStep.AUTH, command + " " + initial, command.length());
        for (int round = 0; reply.code() == 334; round++) {
            String answer;
            try {
                answer = round < MAX_AUTH_ROUNDS ? mechanism.respond(reply.text()) : "*";
            } catch (IllegalStateException e) {
                // RFC 4954: "*" cancels the exchange; the server answers 501
                answer = "*";
            }
            reply = command(SmtpStep.AUTH, answer, 0);
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

    /**
     * Writes one command, once {@link TransportSecurity} allows it, and reads its reply.
     *
     * @param secretFrom where a secret starts in the command (masked in the wire log), or -1
     */
    /** A NOOP on an idle connection, as a health probe: its reply. */
    SmtpReply noop() throws SendmailException {
        return command(SmtpStep.NOOP, "NOOP", -1);
    }

    private SmtpReply command(SmtpStep at, String command, int secretFrom) throws SendmailException {
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
        step = at;
        try {
            channel.write(command.getBytes(StandardCharsets.UTF_8));
            channel.write(new byte[] { '\r', '\n' });
            channel.flush();
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(at, e, null, server);
        }
        return read();
    }

    /**
     * The server's greeting. On port 465 without implicitTls (the commonest mistake: 465 is SMTP over TLS from the first
     * byte, RFC 8314) the server waits for a TLS handshake and says nothing: the wait is cut to
     * {@value #SMTPS_GREETING_MILLIS} ms, and the failure says what to set, not transient (a retry cannot help).
     */
    private SmtpReply greeting() throws SendmailException {
        boolean smtpsPort = settings.port() == 465 && !settings.implicitTls();
        int wait = smtpsPort ? Math.min(SMTPS_GREETING_MILLIS, settings.timeout()) : settings.timeout();
        try {
            SmtpReply reply = channel.readReply(wait);
            if (settings.wireLog()) {
                WIRE.info("[{}] S: {}", id, reply.lines());
            }
            return reply;
        } catch (java.net.SocketTimeoutException e) {
            broken = true;
            if (smtpsPort) {
                throw new SmtpConnectException("SMTP server " + server + " sent no greeting within " + wait + " ms: port 465 "
                                               + "is SMTP over TLS from the first byte (RFC 8314) and the server waits for "
                                               + "a TLS handshake; set implicitTls=true (or use port 587, where STARTTLS "
                                               + "is used); nothing was sent",
                        SmtpStep.GREETING.name(), -1, false, null, e);
            }
            throw new SmtpConnectException("SMTP server " + server + " timed out at the server's greeting (no greeting "
                                           + "within timeout=" + wait + " ms; if this port expects TLS from the first byte, "
                                           + "set implicitTls=true)",
                    SmtpStep.GREETING.name(), -1, true, null, e);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(SmtpStep.GREETING, e, null, server);
        }
    }

    private SmtpReply read() throws SendmailException {
        try {
            SmtpReply reply = channel.readReply();
            if (settings.wireLog()) {
                WIRE.info("[{}] S: {}", id, reply.lines());
            }
            return reply;
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw SmtpFailures.io(step, e, null, server);
        }
    }

    /** Sends QUIT and waits briefly for its reply, then closes; a broken session is closed without it. */
    void close(int transactions) {
        if (broken || channel == null) {
            abort(transactions);
            return;
        }
        try {
            if (settings.wireLog()) {
                WIRE.info("[{}] C: QUIT", id);
            }
            channel.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            channel.flush();
            SmtpReply reply = channel.readReply(Math.min(QUIT_WAIT_MILLIS, settings.timeout()));
            if (settings.wireLog()) {
                WIRE.info("[{}] S: {}", id, reply.lines());
            }
        } catch (IOException | RuntimeException e) {
            // the server may already have gone; the socket is closed either way
        } finally {
            LOG.debug("Connection {} to {} closed with QUIT after {} messages", id, server, transactions);
            channel.close();
        }
    }

    /** Closes the socket once QUIT, written with the last transactions, was answered. */
    void closeAfterQuit(int transactions) {
        LOG.debug("Connection {} to {} closed with QUIT after {} messages", id, server, transactions);
        channel.close();
    }

    /** Closes the socket without a goodbye: the server may not be reading, and must not take a half-sent message. */
    void abort(int transactions) {
        broken = true;
        if (channel != null) {
            LOG.debug("Connection {} to {} closed after {} messages, without QUIT", id, server, transactions);
            channel.close();
        }
    }

    SmtpTransport channel() {
        return channel;
    }

    Map<String, String> extensions() {
        return extensions;
    }

    boolean tls() {
        return tls;
    }

    /** @return how long the shortest EHLO took, from its write to its reply: about one round trip */
    long roundTripNanos() {
        return roundTripNanos;
    }

    boolean authenticated() {
        return authenticated;
    }

    /** @return the bearer token the server refused when this session signed in, or null */
    String refusedToken() {
        return refusedToken;
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
}
