package io.camelsendmail.smtp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailException;
import io.camelsendmail.SmtpDeliveryException;

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
    /**
     * The recipients no transaction has taken yet, in envelope order: all of them at first. A message with more
     * recipients than a transaction may carry ({@code maxRecipientsPerMessage}, the server's LIMITS RCPTMAX, or its 452
     * "too many recipients") goes in several transactions, each taking the next ones.
     */
    private final Deque<String> untaken;
    /** The statuses of the recipients of the transactions whose message the server took. */
    private final List<RecipientStatus> delivered = new ArrayList<>();
    private String lastResponse;
    private int transactionsTaken;
    private final boolean allowPartialDelivery;

    Job(OutgoingMessage message, DeliveryCallback completion, Executor completions) {
        this(message, completion, completions, true);
    }

    Job(OutgoingMessage message, DeliveryCallback completion, Executor completions, boolean allowPartialDelivery) {
        this.message = message;
        this.completion = completion;
        this.completions = completions;
        this.allowPartialDelivery = allowPartialDelivery;
        this.untaken = new ArrayDeque<>(message != null ? message.recipients() : List.of());
    }

    /** @return a health probe for an idle connection to answer with NOOP: no message */
    static Job probe(DeliveryCallback completion) {
        return new Job(null, completion, Runnable::run, true);
    }

    /** @return whether this is a health probe rather than a message */
    boolean isProbe() {
        return message == null;
    }

    /**
     * @param max       the most recipients a transaction may carry, 0 for no limit
     * @param domainMax the most distinct domains among them (LIMITS RCPTDOMAINMAX), 0 for no limit
     * @return the recipients of the next transaction, taken from those left
     */
    synchronized List<String> take(int max, int domainMax) {
        List<String> taken = new ArrayList<>();
        Set<String> domains = new HashSet<>();
        while (!untaken.isEmpty() && (max <= 0 || taken.size() < max)) {
            String next = untaken.peekFirst();
            String domain = next.substring(next.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (domainMax > 0 && !domains.contains(domain) && domains.size() >= domainMax && !taken.isEmpty()) {
                break;
            }
            domains.add(domain);
            taken.add(untaken.pollFirst());
        }
        return taken;
    }

    /** Recipients a transaction took and did not send to (it never began, or the server said too many): first again. */
    synchronized void giveBack(List<String> recipients) {
        for (int i = recipients.size() - 1; i >= 0; i--) {
            untaken.addFirst(recipients.get(i));
        }
    }

    /**
     * A transaction's message was taken by the server.
     *
     * @return the message's delivery when no recipient is left, else null: another transaction takes the rest
     */
    synchronized Delivery taken(List<RecipientStatus> statuses, String response) {
        delivered.addAll(statuses);
        lastResponse = response;
        transactionsTaken++;
        return untaken.isEmpty() ? new Delivery(inEnvelopeOrder(delivered), lastResponse) : null;
    }

    void succeed(Delivery delivery) {
        complete(delivery, null);
    }

    /**
     * Fails the message; but where an earlier transaction delivered it to some recipients, it cannot be sent again
     * whole: those recipients keep their statuses, and each one left gets the failure as its own.
     */
    void fail(SendmailException failure) {
        List<RecipientStatus> statuses;
        String response;
        synchronized (this) {
            if (transactionsTaken == 0) {
                statuses = null;
                response = null;
            } else {
                statuses = new ArrayList<>(delivered);
                int code = failure.getCode() > 0 ? failure.getCode() : 451;
                java.util.Map<String, RecipientStatus> refused = new java.util.HashMap<>();
                if (failure.getStatuses() != null) {
                    failure.getStatuses().stream().filter(s -> !s.accepted()).forEach(s -> refused.put(s.address(), s));
                }
                for (String recipient : untaken) {
                    // a recipient the server refused keeps its own reply; the others were not sent for the failure
                    RecipientStatus own = refused.get(recipient);
                    statuses.add(own != null ? own : new RecipientStatus(recipient, code, "not sent: " + failure.getMessage()));
                }
                untaken.clear();
                statuses = inEnvelopeOrder(statuses);
                response = lastResponse;
            }
        }
        if (statuses == null) {
            complete(null, failure);
        } else if (allowPartialDelivery) {
            complete(new Delivery(statuses, response), null);
        } else {
            List<RecipientStatus> refused = statuses.stream().filter(s -> !s.accepted()).toList();
            complete(null, new SmtpDeliveryException("the message went to " + (statuses.size() - refused.size()) + " of "
                                                     + statuses.size() + " recipients in an earlier transaction, and "
                                                     + "cannot be sent again to them; the rest failed "
                                                     + "(allowPartialDelivery=false): " + failure.getMessage(),
                    failure.getStep(), failure.getCode(), false, statuses, failure));
        }
    }

    private List<RecipientStatus> inEnvelopeOrder(List<RecipientStatus> statuses) {
        List<String> envelope = message.recipients();
        List<RecipientStatus> ordered = new ArrayList<>(statuses);
        ordered.sort(Comparator.comparingInt(s -> envelope.indexOf(s.address())));
        return List.copyOf(ordered);
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
