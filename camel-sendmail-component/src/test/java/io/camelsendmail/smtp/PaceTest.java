package io.camelsendmail.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint's pace, on a clock the test moves. */
class PaceTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void thePauseStartsAgainAtOneSecondOnceMessagesWentThroughWithARateSet() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        Pace pace = new Pace(10, now::get);
        pace.slowDown("test");
        pace.slowDown("test");
        assertThat(pace.pauseNanos()).isEqualTo(2 * SECOND);
        // well past the pause, messages go through at the rate again: the next complaint pauses 1 s, not 4 s
        now.addAndGet(10 * SECOND);
        pace.reserve();
        assertThat(pace.pauseNanos()).isZero();
        pace.slowDown("test");
        assertThat(pace.pauseNanos()).isEqualTo(SECOND);
    }

    @Test
    void aRateSpacesMessagesEvenly() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        Pace pace = new Pace(4, now::get);
        assertThat(pace.reserve()).isZero();
        assertThat(pace.reserve()).isEqualTo(SECOND / 4);
        assertThat(pace.reserve()).isEqualTo(SECOND / 2);
    }

    @Test
    void onlyRepliesThatSpeakOfARateOrThrottlingAreTooFast() {
        assertThat(Pace.tooFast(new SmtpReply(454, "454 Throttling failure: Maximum sending rate exceeded."))).isTrue();
        assertThat(Pace.tooFast(new SmtpReply(450, "450 4.2.1 The user you are trying to contact is receiving mail at a "
                                                   + "rate that prevents additional messages from being delivered."))).isTrue();
        assertThat(Pace.tooFast(new SmtpReply(451, "451 4.7.1 rate limit exceeded, slow down"))).isTrue();
        assertThat(Pace.tooFast(new SmtpReply(421, "421 4.7.0 Try again later, closing connection (throttled)"))).isTrue();
        // a policy temp-fail, a quota, a recipient limit, an authentication failure: pausing the endpoint helps none
        assertThat(Pace.tooFast(new SmtpReply(451, "451 4.7.1 Service unavailable - try again later"))).isFalse();
        assertThat(Pace.tooFast(new SmtpReply(454, "454 Throttling failure: Daily message quota exceeded."))).isFalse();
        assertThat(Pace.tooFast(new SmtpReply(452, "452 4.5.3 Your message has too many recipients"))).isFalse();
        assertThat(Pace.tooFast(new SmtpReply(454, "454 4.7.0 Temporary authentication failure"))).isFalse();
        assertThat(Pace.tooFast(new SmtpReply(550, "550 5.7.1 rate limit exceeded"))).isFalse();
    }

    @Test
    void aFractionalRateSpacesMessagesOverMinutes() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        // 30 a minute
        Pace pace = new Pace(0.5, now::get);
        assertThat(pace.reserve()).isZero();
        assertThat(pace.reserve()).isEqualTo(2 * SECOND);
    }

    /** rateLimit=30/min with a hundred messages waiting: at most eleven begin in any 20 s (here ten, at 0, 2, ... 18 s). */
    @Test
    void thirtyAMinuteBeginsAtMostElevenMessagesInTwentySeconds() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        Pace pace = new Pace(30 / 60.0, now::get);
        List<Long> begins = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            begins.add(now.get() + pace.reserve());
        }
        for (long from : begins) {
            long inWindow = begins.stream().filter(b -> b >= from && b < from + 20 * SECOND).count();
            assertThat(inWindow).isLessThanOrEqualTo(11);
        }
        assertThat(begins.stream().filter(b -> b < now.get() + 20 * SECOND)).hasSize(10);
    }

    @Test
    void aDailyQuotaAndAConnectionLimitAreToldFromOtherReplies() {
        assertThat(Pace.quotaExhausted(new SmtpReply(454, "454 Throttling failure: Daily message quota exceeded."))).isTrue();
        assertThat(Pace.quotaExhausted(new SmtpReply(550, "550 5.4.5 Daily user sending limit exceeded. For more "
                                                          + "information on Gmail sending limits"))).isTrue();
        assertThat(Pace.quotaExhausted(new SmtpReply(554, "554 5.2.0 STOREDRV.Submission.Exception:"
                                                          + "SubmissionQuotaExceededException; Failed to process message"))).isTrue();
        // a recipient's full mailbox, a rate, a policy refusal: not the sender's quota
        assertThat(Pace.quotaExhausted(new SmtpReply(452, "452 4.2.2 The email account that you tried to reach is over quota"))).isFalse();
        assertThat(Pace.quotaExhausted(new SmtpReply(454, "454 Throttling failure: Maximum sending rate exceeded."))).isFalse();
        assertThat(Pace.quotaExhausted(new SmtpReply(451, "451 4.7.1 Service unavailable - try again later"))).isFalse();
        assertThat(Pace.tooFast(new SmtpReply(454, "454 Throttling failure: Daily message quota exceeded."))).isFalse();

        assertThat(Pace.tooManyConnections(new SmtpReply(432, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded")))
                .isTrue();
        assertThat(Pace.tooManyConnections(new SmtpReply(421, "421 4.7.0 Too many concurrent connections from this IP")))
                .isTrue();
        assertThat(Pace.tooManyConnections(new SmtpReply(550, "550 5.7.1 too many connections"))).isFalse();
        assertThat(Pace.tooManyConnections(new SmtpReply(451, "451 4.3.0 Temporary lookup failure"))).isFalse();
    }
}
