package io.camelsendmail.smtp;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast an endpoint begins messages: at most {@code maxMessagesPerSecond} (when set), evenly spaced, and not at all
 * for a while after the server said the client sends too fast. The pause doubles with each such reply (1 s up to 60 s)
 * and is forgotten once messages go through again.
 */
final class Pace {

    private static final Logger LOG = LoggerFactory.getLogger(Pace.class);
    private static final long FIRST_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final long intervalNanos;
    private final LongSupplier clock;
    private long next;
    private long pausedUntil;
    private long pause;

    /** @param perSecond messages per second, 0 for no limit */
    Pace(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    /** @param clock {@link System#nanoTime()}, or a test's */
    Pace(int perSecond, LongSupplier clock) {
        this.intervalNanos = perSecond > 0 ? TimeUnit.SECONDS.toNanos(1) / perSecond : 0;
        this.clock = clock;
        this.next = clock.getAsLong();
        this.pausedUntil = next;
    }

    /** @return nanoseconds to wait before the next message may begin (its slot is reserved) */
    synchronized long reserve() {
        long now = clock.getAsLong();
        long at = Math.max(now, pausedUntil);
        if (pause > 0 && now - pausedUntil > pause) {
            // a while without a complaint after the pause: the server is fine with this pace again
            pause = 0;
        }
        if (intervalNanos > 0) {
            at = Math.max(at, next);
            next = at + intervalNanos;
        }
        return at - now;
    }

    /** @return the pause the next complaint starts from, in nanoseconds (0: the first is {@link #FIRST_PAUSE_NANOS}) */
    synchronized long pauseNanos() {
        return pause;
    }

    /** The server said the client sends too fast: no message begins for a while, longer each time. */
    synchronized void slowDown(String server) {
        pause = pause == 0 ? FIRST_PAUSE_NANOS : Math.min(LONGEST_PAUSE_NANOS, pause * 2);
        pausedUntil = clock.getAsLong() + pause;
        LOG.warn("SMTP server {} says messages come too fast: pausing {} ms", server, TimeUnit.NANOSECONDS.toMillis(pause));
    }

    /** @return whether a reply says the client is sending too fast: a 421 or 451 with 4.7.x, or 'rate' or 'too many' */
    static boolean tooFast(SmtpReply reply) {
        if (reply.code() != 421 && reply.code() != 451) {
            return false;
        }
        String text = reply.text().toLowerCase(Locale.ROOT);
        return text.startsWith("4.7.") || text.contains("rate") || text.contains("too many") || text.contains("too fast")
               || text.contains("throttl");
    }
}
