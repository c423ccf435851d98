package io.camelsendmail.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback SMTP server for large messages: it keeps nothing of a message but the number of bytes of its body and
 * their SHA-256 (dot-unstuffed, as the message was), and refuses every {@code refuseEvery}-th message at its end.
 */
public final class CountingSink implements AutoCloseable {

    /** What arrived of one message's body. */
    public record Body(long bytes, String sha256, boolean accepted) {
    }

    private final ServerSocket server;
    private final List<Body> bodies = new CopyOnWriteArrayList<>();
    private final int refuseEvery;

    public CountingSink(int refuseEvery) throws IOException {
        this.refuseEvery = refuseEvery;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serve, "counting-sink");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Body> bodies() {
        return List.copyOf(bodies);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                session(new BufferedInputStream(socket.getInputStream(), 1 << 16), socket.getOutputStream());
            } catch (IOException | NoSuchAlgorithmException e) {
                // the next connection
            }
        }
    }

    private void session(InputStream in, OutputStream out) throws IOException, NoSuchAlgorithmException {
        reply(out, "220 counting-sink ready");
        String line;
        while ((line = readLine(in)) != null) {
            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
            switch (verb) {
                case "EHLO", "HELO" -> reply(out, "250 counting-sink");
                case "DATA" -> {
                    reply(out, "354 go ahead");
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    long bytes = 0;
                    boolean inBody = false;
                    while (!(line = readLine(in)).equals(".")) {
                        String unstuffed = line.startsWith(".") ? line.substring(1) : line;
                        if (inBody) {
                            byte[] data = (unstuffed + "\r\n").getBytes(StandardCharsets.US_ASCII);
                            digest.update(data);
                            bytes += data.length;
                        } else if (unstuffed.isEmpty()) {
                            inBody = true;
                        }
                    }
                    boolean accepted = refuseEvery <= 0 || (bodies.size() + 1) % refuseEvery != 0;
                    bodies.add(new Body(bytes, HexFormat.of().formatHex(digest.digest()), accepted));
                    reply(out, accepted ? "250 2.0.0 kept count" : "554 5.6.0 refused at the end");
                }
                case "QUIT" -> {
                    reply(out, "221 bye");
                    return;
                }
                default -> reply(out, "250 ok");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        return null;
    }

    private static void reply(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
