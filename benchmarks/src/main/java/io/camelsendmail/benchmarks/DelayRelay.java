package io.camelsendmail.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.net.ExtendedSocketOptions;

/**
 * A TCP relay on loopback that holds every byte for a fixed time in each direction, as a link to a server 20 to 100
 * ms away does: the round trip grows by twice the delay, the bandwidth stays. Bytes keep their order; a connection
 * closed on one side is closed on the other once its last bytes are through.
 */
final class DelayRelay implements AutoCloseable {

    private static final byte[] END = new byte[0];

    private final ServerSocket server;
    private final int upstreamPort;
    private final long delayNanos;

    DelayRelay(int upstreamPort, long oneWayMillis) throws IOException {
        this.upstreamPort = upstreamPort;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(oneWayMillis);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        daemon("delay-relay-accept", this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                AtomicInteger ended = new AtomicInteger();
                pipe(client, upstream, ended);
                pipe(upstream, client, ended);
            } catch (IOException e) {
                // the relay is closing, or the upstream server refused: the client sees its connection closed
            }
        }
    }

    /** Copies from one socket to the other, each chunk written once the delay after it was read has passed. */
    private void pipe(Socket from, Socket to, AtomicInteger ended) throws IOException {
        LinkedBlockingQueue<Object[]> delayed = new LinkedBlockingQueue<>();
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        daemon("delay-relay-read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    // a link delays bytes, not acknowledgements: without this the relay's socket may hold its ACK (up to
                    // 40 ms on Linux), and a server that writes its replies in several small writes under Nagle's algorithm
                    // holds the next one until that ACK comes. sendmail: acknowledges at once (TCP_QUICKACK after each
                    // read), and the relay does so in its place toward the server
                    from.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                    delayed.add(new Object[] { System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n) });
                }
            } catch (IOException e) {
                // closed
            }
            delayed.add(new Object[] { System.nanoTime() + delayNanos, END });
        });
        daemon("delay-relay-write", () -> {
            try {
                while (true) {
                    Object[] chunk = delayed.take();
                    long wait = (long) chunk[0] - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    byte[] bytes = (byte[]) chunk[1];
                    if (bytes == END) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            } finally {
                // both directions done: both sockets go
                if (ended.incrementAndGet() == 2) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        });
    }

    private static void daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
