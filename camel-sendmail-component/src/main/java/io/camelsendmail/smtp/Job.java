package io.camelsendmail.smtp;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.SendmailException;

/**
 * One message waiting for, or travelling on, a connection, and what to do with its outcome. Completed exactly once.
 */
final class Job {

    final OutgoingMessage message;
    final long submittedNanos = System.nanoTime();
    private final DeliveryCallback completion;
    private final Executor completions;
    private final AtomicBoolean done = new AtomicBoolean();
    /** Outcomes offered, the first taken: more than one is a defect of the engine, which its tests look for. */
    private final AtomicInteger offered = new AtomicInteger();
    /** How many times the message went back to the queue because a connection failed before its MAIL FROM was taken. */
    int requeued;

    Job(OutgoingMessage message, DeliveryCallback completion, Executor completions) {
        this.message = message;
        this.completion = completion;
        this.completions = completions;
    }

    void succeed(Delivery delivery) {
        complete(delivery, null);
    }

    void fail(SendmailException failure) {
        complete(null, failure);
    }

    boolean isDone() {
        return done.get();
    }

    /** @return how many outcomes were offered for this message: exactly one once it is done */
    int outcomesOffered() {
        return offered.get();
    }

    private void complete(Delivery delivery, SendmailException failure) {
        offered.incrementAndGet();
        if (!done.compareAndSet(false, true)) {
            return;
        }
        // the route goes on in another thread: the connection's thread goes back to its replies
        try {
            completions.execute(() -> completion.completed(delivery, failure));
        } catch (RejectedExecutionException stopping) {
            completion.completed(delivery, failure);
        }
    }
}
