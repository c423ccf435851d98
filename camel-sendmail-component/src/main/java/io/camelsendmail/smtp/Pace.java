package io.camelsendmail.smtp;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

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
    /** What a reply says when the client sends too fast. */
    private static final Pattern RATE_WORDS = Pattern.compile("\\brate\\b|throttl|too fast|too many (messages|mails|emails)|slow down");

    private final long intervalNanos;
    private final LongSupplier clock;
    private long next;
    private long pausedUntil;
    private long pause;

    /** @param perSecond messages per second (a fraction for a rate per minute, hour or day), 0 for no limit */
    Pace(double perSecond) {
        this(perSecond, System::nanoTime);
    }

    /** @param clock {@link System#nanoTime()}, or a test's */
    Pace(double perSecond, LongSupplier clock) {
        this.intervalNanos = perSecond > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) / perSecond) : 0;
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

    /** What a reply says when the sender's daily (or other period's) sending quota is used up. */
    private static final Pattern QUOTA_WORDS = Pattern.compile(
            "daily (user |message |sending )*(sending )?(quota|limit)|sending (quota|limit) (was )?exceeded"
            + "|submissionquotaexceeded|message quota exceeded|quota exceeded for (today|the day|this period)");

    /**
     * @return whether a reply to MAIL FROM or to the end of the data says the sender's sending quota for the day is
     *         used up: Amazon SES {@code 454 Throttling failure: Daily message quota exceeded}, Gmail {@code 550 5.4.5
     *         Daily user sending limit exceeded}, Microsoft 365 {@code 554 5.2.0 ...SubmissionQuotaExceededException}.
     *         Not a recipient's full mailbox: that is a reply to RCPT, and says nothing of sending
     */
    static boolean quotaExhausted(SmtpReply reply) {
        int code = reply.code();
        if (code < 400 || code >= 600) {
            return false;
        }
        return QUOTA_WORDS.matcher(reply.text().toLowerCase(Locale.ROOT)).find();
    }

    /**
     * @return whether a reply says the server takes no more connections from this client at once: Microsoft 365
     *         {@code 432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded}, and 4xx replies that say too many
     *         connections
     */
    static boolean tooManyConnections(SmtpReply reply) {
        if (reply.code() == 432) {
            return true;
        }
        if (reply.code() < 400 || reply.code() >= 500) {
            return false;
        }
        String text = reply.text().toLowerCase(Locale.ROOT);
        return text.contains("thread limit") || text.contains("too many connections")
               || text.contains("too many concurrent") || text.contains("concurrent connections");
    }

    /**
     * @return whether a reply says the client is sending too fast: a 421, 450, 451 or 454 whose text speaks of a rate,
     *         throttling, sending too fast or too many messages (Amazon SES {@code 454 Throttling failure: Maximum
     *         sending rate exceeded}, Gmail {@code 450 4.2.1 ... rate}, {@code 451 4.7.1 rate limit exceeded}). A
     *         policy refusal that says none of this ({@code 451 4.7.1 Service unavailable - try again later}, a milter's)
     *         is not, and neither is a daily quota: pausing the endpoint would not help either
     */
    static boolean tooFast(SmtpReply reply) {
        int code = reply.code();
        if (code != 421 && code != 450 && code != 451 && code != 454) {
            return false;
        }
        String text = reply.text().toLowerCase(Locale.ROOT);
        if (text.contains("quota") || text.contains("daily") || text.contains("per day")) {
            return false;
        }
        return RATE_WORDS.matcher(text).find();
    }
}
