package io.camelsendmail.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP server (or TLS relay) in its own process, on a loopback port. For a server that reports
 * {@code mesg=N} as it receives mail (Postfix's {@code smtp-sink -c}, and {@link StartTlsAuthSink}), or logs
 * {@code status=sent} for each delivery (Postfix itself, logging to its standard output), the count of messages it
 * received is kept, so the benchmark can check that every message it counted arrived.
 */
final class SinkProcess implements AutoCloseable {

    private static final Pattern COUNT = Pattern.compile("mesg=(\\d+)");
    /** Postfix's log: one line per delivery, here to its discard transport. */
    private static final Pattern DELIVERED = Pattern.compile("status=sent");

    private final String name;
    private final Process process;
    private final int port;
    private final AtomicLong received = new AtomicLong();

    private SinkProcess(String name, List<String> command, int port, Path log) throws IOException {
        this.name = name;
        this.port = port;
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        this.process = builder.start();
        Thread reader = new Thread(this::readCounts, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    static SinkProcess start(String name, List<String> command, int port, Path log) throws IOException {
        SinkProcess sink = new SinkProcess(name, command, port, log);
        sink.awaitListening(Duration.ofSeconds(20));
        return sink;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The messages counted so far. */
    long count() {
        return received.get();
    }

    /** Waits until the count has not changed for a while: the server has finished with what it was sent. */
    long settledCount() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 100; i++) {
            long now = received.get();
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(300);
        }
        return received.get();
    }

    private void readCounts() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder token = new StringBuilder();
            int c;
            // smtp-sink ends each count with a carriage return, StartTlsAuthSink with a newline
            while ((c = out.read()) >= 0) {
                if (c == '\r' || c == '\n') {
                    Matcher m = COUNT.matcher(token);
                    if (m.find()) {
                        received.set(Long.parseLong(m.group(1)));
                    } else if (DELIVERED.matcher(token).find()) {
                        received.incrementAndGet();
                    }
                    token.setLength(0);
                } else {
                    token.append((char) c);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private void awaitListening(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before listening on port " + port);
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        process.destroyForcibly();
        throw new IOException(name + " did not listen on port " + port + " within " + limit.toSeconds() + " s");
    }

    /**
     * Ends the process and every process it started: Postfix's {@code start-fg} leaves a master (and its smtpd,
     * cleanup...) that outlive the process started here unless they are ended too.
     */
    @Override
    public void close() throws InterruptedException {
        java.util.List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        tree.add(process.toHandle());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
    }
}
