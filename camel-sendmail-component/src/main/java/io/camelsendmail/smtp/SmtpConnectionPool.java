package io.camelsendmail.smtp;

import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpConnectException;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's connected, TLS-upgraded and signed-in SMTP connections, kept open between messages (Apache Commons
 * Pool 2).
 * <ul>
 * <li>A connection that failed, or that the server is closing (421), is never handed out again.</li>
 * <li>A connection is closed (QUIT, off the route thread) after {@code maxMessagesPerConnection} messages, after
 * {@code idleTimeout} unused, and when the endpoint stops. A connection still closing counts against
 * {@code maxConnections}.</li>
 * <li>Near the end of a connection's life another one is opened in the background (where {@code maxConnections} leaves
 * room), so that a route thread rarely waits for a new connection, TLS handshake and AUTH; "near" is measured in time,
 * at the connection's own pace, so that at a low message rate the replacement is not opened long before it is needed
 * and evicted unused.</li>
 * <li>A message that fails on a reused connection because the connection was lost before MAIL FROM was accepted is sent
 * once more on a fresh connection: nothing of it had reached the server. Once MAIL FROM is accepted a failure is
 * reported, never retried here, so the pool never sends a message twice.</li>
 * </ul>
 */
public final class SmtpConnectionPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnectionPool.class);

    private final SmtpSettings settings;
    private final GenericObjectPool<SmtpConnection> pool;
    private final long borrowWaitMillis;
    private final int maxMessages;
    private final long idleNanos;
    private final Executor opener;
    private final Executor closer;
    /** One permit per connection open or closing: at most maxConnections sockets to the server at any time. */
    private final Semaphore sockets;
    private final AtomicBoolean replacing = new AtomicBoolean();

    /**
     * @param opener opens replacement connections in the background
     * @param closer says QUIT to connections that are done, off the route thread
     */
    public SmtpConnectionPool(SmtpSettings settings, Executor opener, Executor closer) {
        this.settings = settings;
        this.opener = opener;
        this.closer = closer;
        this.sockets = new Semaphore(settings.maxConnections());
        this.maxMessages = settings.maxMessagesPerConnection();
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.idleTimeout());
        this.borrowWaitMillis = (long) settings.connectTimeout() + settings.timeout();

        GenericObjectPoolConfig<SmtpConnection> config = new GenericObjectPoolConfig<>();
        config.setJmxEnabled(false);
        config.setMaxTotal(settings.maxConnections());
        config.setMaxIdle(settings.maxConnections());
        config.setMinIdle(0);
        // the most recently used connection first: the fewest connections stay warm
        config.setLifo(true);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofMillis(borrowWaitMillis));
        config.setTestOnBorrow(true);
        config.setTestOnReturn(true);
        // the evictor closes connections idle longer than idleTimeout; the borrow test covers the time between its runs
        config.setMinEvictableIdleDuration(Duration.ofMillis(settings.idleTimeout()));
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(Math.max(50, Math.min(settings.idleTimeout() / 2, 5000))));
        config.setNumTestsPerEvictionRun(settings.maxConnections());
        config.setEvictorShutdownTimeout(Duration.ofSeconds(1));
        this.pool = new GenericObjectPool<>(new Factory(), config);
    }

    /** Delivers one message, or throws the {@link SendmailException} that says why not. */
    public Delivery deliver(OutgoingMessage message) throws SendmailException {
        long asked = System.nanoTime();
        SmtpConnection connection = borrow();
        // opened before this message asked for it: it may have been closed by the server since
        boolean reused = connection.openedBefore(asked);
        if (reused) {
            LOG.debug("Reusing connection {} to {} ({} messages so far)", connection.id(), settings.server(),
                    connection.transactions());
        }
        if (nearItsEnd(connection) && pool.getNumIdle() == 0 && replacing.compareAndSet(false, true)) {
            openReplacement();
        }
        try {
            return connection.send(message);
        } catch (SendmailException e) {
            if (!reused || !connection.lostBeforeMailAccepted()) {
                throw e;
            }
            // the server closed this idle connection (restart, idle timeout, 421): its idle siblings are likely gone too
            pool.returnObject(connection);
            connection = null;
            pool.clear();
            SmtpConnection fresh = borrow();
            try {
                return fresh.send(message);
            } finally {
                pool.returnObject(fresh);
            }
        } finally {
            if (connection != null) {
                // the return test closes a broken or used-up one; GenericObjectPool's invalidateObject would open a
                // replacement at once, in this thread
                pool.returnObject(connection);
            }
        }
    }

    /**
     * Past half its messages, and its remaining messages at its own pace so far would take less than half the idle
     * timeout: a replacement opened now is used before the evictor would close it.
     */
    private boolean nearItsEnd(SmtpConnection connection) {
        int used = connection.transactions();
        if (maxMessages < 2 || used < maxMessages / 2) {
            return false;
        }
        long remainingNanos = connection.ageNanos() / Math.max(1, used) * (maxMessages - used);
        return remainingNanos < idleNanos / 2;
    }

    private SmtpConnection borrow() throws SendmailException {
        try {
            return pool.borrowObject();
        } catch (SendmailException e) {
            throw e;
        } catch (NoSuchElementException e) {
            throw new SmtpConnectException(
                    "no SMTP connection became free within " + borrowWaitMillis + " ms (all " + settings.maxConnections()
                                           + " connections, option maxConnections, stayed busy): " + e.getMessage(),
                    SmtpStep.CONNECT.name(), -1, true, null, e);
        } catch (Exception e) {
            throw new SmtpConnectException("could not open an SMTP connection: " + e.getMessage(),
                    SmtpStep.CONNECT.name(), -1, true, null, e);
        }
    }

    /** Opens a connection in the background and leaves it idle in the pool, for the next message that needs one. */
    private void openReplacement() {
        try {
            opener.execute(() -> {
                try {
                    if (!pool.isClosed() && pool.getNumIdle() == 0) {
                        // counted by the pool while it opens: never more than maxConnections
                        pool.addObject();
                    }
                } catch (Exception e) {
                    // the message that needs a connection will open one itself, and report why that fails
                } finally {
                    replacing.set(false);
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the endpoint is stopping
            replacing.set(false);
        }
    }

    /** Closes the idle connections with QUIT; one still in use is closed when it is returned. */
    @Override
    public void close() {
        pool.close();
    }

    private final class Factory extends BasePooledObjectFactory<SmtpConnection> {

        @Override
        public SmtpConnection create() throws SendmailException, InterruptedException {
            // a connection still saying QUIT holds its permit: the server never sees more than maxConnections
            if (!sockets.tryAcquire(borrowWaitMillis, TimeUnit.MILLISECONDS)) {
                throw new SmtpConnectException("no SMTP connection could be opened within " + borrowWaitMillis
                                               + " ms: all " + settings.maxConnections() + " (option maxConnections) stayed open",
                        SmtpStep.CONNECT.name(), -1, true, null, null);
            }
            try {
                return SmtpConnection.open(settings);
            } catch (SendmailException | RuntimeException e) {
                sockets.release();
                throw e;
            }
        }

        @Override
        public PooledObject<SmtpConnection> wrap(SmtpConnection connection) {
            return new DefaultPooledObject<>(connection);
        }

        @Override
        public boolean validateObject(PooledObject<SmtpConnection> p) {
            SmtpConnection connection = p.getObject();
            return !connection.isBroken() && connection.transactions() < maxMessages && connection.idleNanos() < idleNanos;
        }

        @Override
        public void destroyObject(PooledObject<SmtpConnection> p) {
            SmtpConnection connection = p.getObject();
            if (connection.isBroken()) {
                connection.abort();
                sockets.release();
                return;
            }
            try {
                closer.execute(() -> {
                    try {
                        connection.close();
                    } finally {
                        sockets.release();
                    }
                });
            } catch (RejectedExecutionException stopped) {
                try {
                    connection.close();
                } finally {
                    sockets.release();
                }
            }
        }
    }
}
