package io.camelsendmail.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One socket to an SMTP server, plain or TLS: a bounded connect, TLS with the server's host name verified, writes that
 * cannot block longer than {@code timeout} (a server that stops reading cannot hold a thread), and a
 * {@link ReplyReader} for the replies.
 */
final class SmtpChannel implements SmtpTransport, Closeable {

    private static final int OUTPUT_BUFFER = 16 * 1024;

    private final String host;
    private final int port;
    private final int timeout;
    private final ScheduledExecutorService writeTimeouts;
    private Socket socket;
    private OutputStream out;
    private ReplyReader reader;
    private volatile boolean writeTimedOut;

    private SmtpChannel(String host, int port, int timeout, ScheduledExecutorService writeTimeouts) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.writeTimeouts = writeTimeouts;
    }

    /** The socket transport: connects within the settings' connectTimeout, with implicit TLS where they say so. */
    static SmtpTransport connect(SmtpSettings settings) throws IOException {
        return connect(settings.host(), settings.port(), settings.connectTimeout(), settings.timeout(),
                settings.implicitTls() ? settings.tls() : null, settings.writeTimeouts());
    }

    /** Connects within {@code connectTimeout}; with {@code implicitTls} set, TLS is up before this returns. */
    static SmtpChannel connect(String host, int port, int connectTimeout, int timeout, SSLSocketFactory implicitTls,
                               ScheduledExecutorService writeTimeouts)
            throws IOException {
        SmtpChannel channel = new SmtpChannel(host, port, timeout, writeTimeouts);
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.setSoTimeout(timeout);
            plain.connect(new InetSocketAddress(host, port), connectTimeout);
            channel.use(implicitTls != null ? channel.handshake(implicitTls, plain) : plain);
        } catch (IOException | RuntimeException e) {
            closeQuietly(plain);
            throw e;
        }
        return channel;
    }

    /** Upgrades the connection to TLS (after the server's 220 to STARTTLS). */
    @Override
    public void startTls(SSLSocketFactory tls) throws IOException {
        use(handshake(tls, socket));
    }

    private SSLSocket handshake(SSLSocketFactory tls, Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        // the certificate must name the host this connection was asked for
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(timeout);
        ssl.startHandshake();
        return ssl;
    }

    private void use(Socket connected) throws IOException {
        this.socket = connected;
        this.out = new BufferedOutputStream(new TimedOutput(connected.getOutputStream()), OUTPUT_BUFFER);
        this.reader = new ReplyReader(connected, connected.getInputStream(), timeout);
    }

    /** Buffers bytes for the server; they leave with {@link #flush()} or when the buffer is full. */
    @Override
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    /** The stream that buffers bytes for the server, for message data. */
    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public SmtpReply readReply() throws IOException {
        return reader.read();
    }

    /** @return whether the server sent bytes that no reply has read: after the 220 to STARTTLS, an injection */
    @Override
    public boolean hasUnreadInput() throws IOException {
        return reader.hasUnreadInput();
    }

    /** @return TLS protocol and cipher suite, or null on a plain connection */
    @Override
    public String tlsDescription() {
        if (socket instanceof SSLSocket ssl) {
            SSLSession session = ssl.getSession();
            return session.getProtocol() + " " + session.getCipherSuite();
        }
        return null;
    }

    /** Reads one reply within {@code millis} rather than the timeout: QUIT's, which nothing waits for. */
    @Override
    public SmtpReply readReply(int millis) throws IOException {
        return reader.read(millis);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }

    /**
     * The socket's output, each write bounded by {@code timeout}: a write that makes no progress in time closes the
     * socket, and fails with a {@link SocketTimeoutException}.
     */
    private final class TimedOutput extends OutputStream {
        private final OutputStream socketOutput;

        TimedOutput(OutputStream socketOutput) {
            this.socketOutput = socketOutput;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Socket target = socket;
            ScheduledFuture<?> guard;
            try {
                guard = writeTimeouts.schedule(() -> {
                    writeTimedOut = true;
                    closeQuietly(target);
                }, timeout, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // the endpoint stopped: a write without its timeout could block this thread for ever
                closeQuietly(target);
                throw new IOException("the sendmail: endpoint stopped while a write was due; the connection is closed");
            }
            try {
                socketOutput.write(b, off, len);
            } catch (IOException e) {
                if (writeTimedOut) {
                    throw new SocketTimeoutException("the server took nothing for timeout=" + timeout + " ms");
                }
                throw e;
            } finally {
                guard.cancel(false);
            }
        }

        @Override
        public void flush() throws IOException {
            socketOutput.flush();
        }
    }
}
