package io.camelsendmail.smtp;

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
}
