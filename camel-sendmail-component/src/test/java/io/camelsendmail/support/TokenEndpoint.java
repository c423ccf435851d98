package io.camelsendmail.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OAuth 2.0 token endpoint on loopback (RFC 6749, section 4.4 and 6): it checks the client's id and secret, issues
 * short-lived bearer tokens for the client_credentials and refresh_token grants, counts its requests, and can revoke a
 * token, refuse the client, or be down. {@link #bearerServer} is an SMTP server that accepts exactly its live tokens.
 */
public final class TokenEndpoint implements AutoCloseable {

    public static final String CLIENT_ID = "sendmail-test-client";
    public static final String CLIENT_SECRET = "client-secret-Zq81";
    public static final String REFRESH_TOKEN = "refresh-token-Xk42";

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger issuedCount = new AtomicInteger();
    private final Map<String, Long> issued = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
    private volatile int expiresIn = 2;
    private volatile long delayMillis;
    private volatile String refusal;
    private volatile int refusalStatus;

    private TokenEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/token", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "token-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static TokenEndpoint start() throws IOException {
        return new TokenEndpoint();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** Seconds each token lives. */
    public TokenEndpoint expiresIn(int seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /** Takes this long over each request, as a real identity provider does. */
    public TokenEndpoint delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /** Answers every request with this HTTP status and OAuth error code (null: issue tokens again). */
    public TokenEndpoint refuse(int status, String error) {
        this.refusalStatus = status;
        this.refusal = error;
        return this;
    }

    public int requests() {
        return requests.get();
    }

    /** The form parameters of every request, in order. */
    public List<Map<String, String>> forms() {
        return List.copyOf(forms);
    }

    public void revoke(String token) {
        revoked.add(token);
    }

    /** Issues a token without an HTTP request: for a token provider of the test's own. */
    public String mint() {
        String token = "access-token-" + issuedCount.incrementAndGet();
        issued.put(token, System.currentTimeMillis() + expiresIn * 1000L);
        return token;
    }

    /** The most recently issued token. */
    public String lastToken() {
        return "access-token-" + issuedCount.get();
    }

    public boolean isLive(String token) {
        Long expires = issued.get(token);
        return expires != null && System.currentTimeMillis() < expires && !revoked.contains(token);
    }

    /**
     * An SMTP server offering STARTTLS and the given AUTH mechanisms (OAUTHBEARER, XOAUTH2), which takes exactly the
     * live tokens of this endpoint for {@code mailbox}, and answers any other with RFC 7628's error challenge, then 535.
     */
    public ScriptedSmtpServer bearerServer(String mailbox, String... mechanisms) throws Exception {
        Set<Integer> challenged = ConcurrentHashMap.newKeySet();
        return ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH " + String.join(" ", mechanisms))
                .dynamic((connection, command) -> {
                    if (challenged.remove(connection)) {
                        return "535 5.7.8 Username and Password not accepted";
                    }
                    if (!command.startsWith("AUTH OAUTHBEARER ") && !command.startsWith("AUTH XOAUTH2 ")) {
                        return null;
                    }
                    String response = new String(Base64.getDecoder().decode(command.substring(command.lastIndexOf(' ') + 1)),
                            StandardCharsets.UTF_8);
                    String user = command.startsWith("AUTH OAUTHBEARER ")
                            ? between(response, "n,a=", ",") : between(response, "user=", "\u0001");
                    String token = between(response, "auth=Bearer ", "\u0001");
                    if (mailbox.equals(user) && token != null && isLive(token)) {
                        return "235 2.7.0 Accepted";
                    }
                    challenged.add(connection);
                    return "334 " + Base64.getEncoder().encodeToString(
                            "{\"status\":\"invalid_token\",\"schemes\":\"bearer\",\"scope\":\"https://mail.example.com/\"}"
                                    .getBytes(StandardCharsets.UTF_8));
                });
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        if (from < 0) {
            return null;
        }
        from += start.length();
        int to = text.indexOf(end, from);
        return to < 0 ? null : text.substring(from, to);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        forms.add(form);
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (refusal != null) {
            respond(exchange, refusalStatus, refusalStatus >= 500 && refusal.isEmpty() ? "service unavailable"
                    : "{\"error\":\"" + refusal + "\",\"error_description\":\"refused by the test endpoint\"}");
            return;
        }
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            respond(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"unknown client or wrong secret\"}");
            return;
        }
        String grant = form.get("grant_type");
        if ("refresh_token".equals(grant) && !REFRESH_TOKEN.equals(form.get("refresh_token"))
            || !"refresh_token".equals(grant) && !"client_credentials".equals(grant)) {
            respond(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"no such grant\"}");
            return;
        }
        String token = mint();
        respond(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
