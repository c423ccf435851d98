package io.camelsendmail;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;

import io.camelsendmail.smtp.SmtpConnectionPool;
import io.camelsendmail.smtp.SmtpSettings;
import org.apache.camel.spi.ExecutorServiceManager;

/**
 * The connections of one endpoint URI and the threads that carry them: started on the first message (or health
 * probe), once per URI in a Camel context, and shared by every endpoint object Camel made for that URI (threads that
 * send to a new URI at the same moment can each get one; only one is registered, and stopped with the context).
 * Closed when the last endpoint that used it stops, or with the component.
 */
final class EndpointConnections {

    private final ExecutorServiceManager executors;
    private final ScheduledExecutorService writeTimeouts;
    private final ExecutorService workers;
    private final ExecutorService closer;
    private final ExecutorService completions;
    private final SmtpConnectionPool pool;
    /** Started endpoints that use these connections. */
    private int users;

    EndpointConnections(Object source, ExecutorServiceManager executors, Function<ScheduledExecutorService, SmtpSettings> settings) {
        this.executors = executors;
        writeTimeouts = executors.newScheduledThreadPool(source, "SendmailWriteTimeout", 1);
        if (writeTimeouts instanceof ScheduledThreadPoolExecutor scheduler) {
            // every write schedules a timeout and cancels it: cancelled ones must not wait in the queue for their delay
            scheduler.setRemoveOnCancelPolicy(true);
        }
        // one thread per open connection (at most maxConnections, and one opening ahead)
        workers = executors.newCachedThreadPool(source, "SendmailConnection");
        closer = executors.newSingleThreadExecutor(source, "SendmailClose");
        // the routes go on in these threads: Camel's default thread pool profile bounds them, and a full queue runs
        // the route in the connection's thread (the connection waits: back pressure, never a lost completion)
        completions = executors.newDefaultThreadPool(source, "SendmailCompletion");
        pool = new SmtpConnectionPool(settings.apply(writeTimeouts), workers, closer, completions);
    }

    SmtpConnectionPool pool() {
        return pool;
    }

    /** The threads the routes go on in once a message is settled. */
    ExecutorService completions() {
        return completions;
    }

    void use() {
        users++;
    }

    /** @return whether no started endpoint uses these connections any more */
    boolean release() {
        return --users <= 0;
    }

    /**
     * Lets the transactions in flight finish, says QUIT on every connection, then ends the threads: the write timers
     * last, so that no write is left without its bound while a worker may still write.
     */
    void close() {
        pool.close();
        executors.shutdownNow(workers);
        // the QUITs in hand are each bounded to a second
        executors.shutdownGraceful(closer, 5000);
        executors.shutdownGraceful(completions, 5000);
        executors.shutdownNow(writeTimeouts);
    }
}
