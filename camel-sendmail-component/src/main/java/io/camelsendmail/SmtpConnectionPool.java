package io.camelsendmail;

import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * One endpoint's connected, TLS-upgraded and authenticated SMTP connections, kept open between messages (Apache
 * Commons Pool 2).
 * <ul>
 * <li>A connection that failed, or that the server is closing (421), is never handed out again.</li>
 * <li>A connection is closed (QUIT) after {@code maxMessagesPerConnection} messages, after {@code idleTimeout} unused,
 * and when the endpoint stops. Halfway through its messages another connection is opened in the background (where
 * {@code maxConnections} leaves room), so that a route thread rarely waits for a new connection, TLS handshake and
 * AUTH.</li>
 * <li>A message that fails on a reused connection because the connection was lost before MAIL FROM was accepted is sent
 * once more on a fresh connection: nothing of it had reached the server. Once MAIL FROM is accepted a failure is
 * reported, never retried here, so the pool never sends a message twice.</li>
 * </ul>
 */
final class SmtpConnectionPool implements SmtpSessions {

    private final GenericObjectPool<SmtpConnection> pool;
    private final boolean allowPartialDelivery;
    private final long borrowWaitMillis;
    private final int maxConnections;
    private final int replaceFrom;
    private final ExecutorService background;
    private final AtomicBoolean replacing = new AtomicBoolean();

    /**
     * @param background opens replacement connections; shut down after {@link #close()}
     */
    SmtpConnectionPool(SmtpConnectionFactory factory, SendmailConfiguration configuration, ExecutorService background) {
        this.background = background;
        this.allowPartialDelivery = configuration.isAllowPartialDelivery();
        this.maxConnections = configuration.getMaxConnections();
        this.borrowWaitMillis = (long) configuration.getConnectTimeout() + configuration.getTimeout();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(configuration.getIdleTimeout());
        int maxMessages = configuration.getMaxMessagesPerConnection();
        // halfway through a connection's life its replacement is opened, in time for a busy route thread to find it
        // ready; connections that carry one message each are opened when needed
        this.replaceFrom = maxMessages >= 2 ? maxMessages / 2 : Integer.MAX_VALUE;

        GenericObjectPoolConfig<SmtpConnection> config = new GenericObjectPoolConfig<>();
        config.setJmxEnabled(false);
        config.setMaxTotal(maxConnections);
        config.setMaxIdle(maxConnections);
        config.setMinIdle(0);
        // the most recently used connection first: the fewest connections stay warm
        config.setLifo(true);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofMillis(borrowWaitMillis));
        config.setTestOnBorrow(true);
        config.setTestOnReturn(true);
        // the evictor closes connections idle longer than idleTimeout; the borrow test covers the time between its runs
        config.setMinEvictableIdleDuration(Duration.ofMillis(configuration.getIdleTimeout()));
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(Math.max(50, Math.min(configuration.getIdleTimeout() / 2, 5000))));
        config.setNumTestsPerEvictionRun(maxConnections);
        config.setEvictorShutdownTimeout(Duration.ofSeconds(1));

        this.pool = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
            @Override
            public SmtpConnection create() throws SendmailException {
                return factory.open();
            }

            @Override
            public PooledObject<SmtpConnection> wrap(SmtpConnection connection) {
                return new DefaultPooledObject<>(connection);
            }

            @Override
            public boolean validateObject(PooledObject<SmtpConnection> p) {
                SmtpConnection connection = p.getObject();
                return !connection.isBroken() && connection.transactions() < maxMessages
                       && connection.idleNanos() < idleNanos;
            }

            @Override
            public void destroyObject(PooledObject<SmtpConnection> p) {
                // at once, not in the background: a closing connection still counts against the server's limit
                p.getObject().quietlyClose();
            }
        }, config);
    }

    @Override
    public Delivery deliver(OutgoingMail mail) throws SendmailException {
        long asked = System.nanoTime();
        SmtpConnection connection = borrow();
        // opened before this message asked for it: it may have been closed by the server since
        boolean reused = connection.openedBefore(asked);
        if (connection.transactions() >= replaceFrom && pool.getNumIdle() == 0 && replacing.compareAndSet(false, true)) {
            openReplacement();
        }
        try {
            return connection.send(mail, allowPartialDelivery);
        } catch (SendmailException e) {
            if (!reused || !connection.lostBeforeMailAccepted()) {
                throw e;
            }
            // the server closed this idle connection (restart, idle timeout, 421): its idle siblings are likely gone too
            release(connection);
            connection = null;
            pool.clear();
            SmtpConnection fresh = borrow();
            try {
                return fresh.send(mail, allowPartialDelivery);
            } finally {
                release(fresh);
            }
        } finally {
            if (connection != null) {
                release(connection);
            }
        }
    }

    private SmtpConnection borrow() throws SendmailException {
        try {
            return pool.borrowObject();
        } catch (SendmailException e) {
            throw e;
        } catch (NoSuchElementException e) {
            throw new SmtpConnectException(
                    "no SMTP connection became free within " + borrowWaitMillis + " ms (all " + maxConnections
                                           + " connections, option maxConnections, stayed busy): " + e.getMessage(),
                    SmtpStep.CONNECT.name(), -1, true, null, e);
        } catch (Exception e) {
            throw new SmtpConnectException("could not open an SMTP connection: " + e.getMessage(),
                    SmtpStep.CONNECT.name(), -1, true, null, e);
        }
    }

    /**
     * Gives a connection back. The return test closes a broken or used-up one (GenericObjectPool's invalidateObject
     * would open a replacement at once, in this thread; a replacement is opened only when a message needs it).
     */
    private void release(SmtpConnection connection) {
        pool.returnObject(connection);
    }

    /**
     * Opens a connection in the background and leaves it idle in the pool, where {@code maxConnections} leaves room and
     * none is idle: the next message that needs a new connection finds it ready. One at a time.
     */
    private void openReplacement() {
        try {
            background.execute(() -> {
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

    @Override
    public void close() {
        // closes the idle connections with QUIT; one still in use is closed when it is returned
        pool.close();
    }
}
