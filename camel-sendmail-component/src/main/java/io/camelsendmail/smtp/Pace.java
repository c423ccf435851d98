package io.camelsendmail.smtp;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
    private long next = System.nanoTime();
    private long pausedUntil = System.nanoTime();
    private long pause;

    /** @param perSecond messages per second, 0 for no limit */
    Pace(int perSecond) {
        this.intervalNanos = perSecond > 0 ? TimeUnit.SECONDS.toNanos(1) / perSecond : 0;
    }

    /** @return nanoseconds to wait before the next message may begin (its slot is reserved) */
    synchronized long reserve() {
        long now = System.nanoTime();
        long at = Math.max(now, pausedUntil);
        if (intervalNanos > 0) {
            at = Math.max(at, next);
            next = at + intervalNanos;
        } else if (pause > 0 && now - pausedUntil > pause) {
            // a while without a complaint after the pause: the server is fine with this pace again
            pause = 0;
        }
        return at - now;
    }

    /** The server said the client sends too fast: no message begins for a while, longer each time. */
    synchronized void slowDown(String server) {
        pause = pause == 0 ? FIRST_PAUSE_NANOS : Math.min(LONGEST_PAUSE_NANOS, pause * 2);
        pausedUntil = System.nanoTime() + pause;
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
