package io.camelsendmail.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group's rate shared by partitions, on a clock the test moves: 30 a minute over three instances, one of which
 * dies, never puts more than 31 mails in any 60 s.
 */
class GroupRateTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void thirtyAMinuteOverThreeInstancesHoldsAcrossAnInstancesDeath() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        List<GroupRate> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            GroupRate rate = new GroupRate(new DefaultCamelContext(), "sendmail", "instance-" + i, 30 / 60.0, now::get);
            rate.share(1 / 3.0);
            instances.add(rate);
        }
        long start = now.get();
        List<Long> begins = new ArrayList<>();
        long[] nextOf = new long[3];
        // every instance always has mails waiting; instance 2 dies at 120 s, and its partitions are the others' 7 s later
        for (long t = start; t < start + 300 * SECOND; t += SECOND / 10) {
            now.set(t);
            if (t == start + 127 * SECOND) {
                instances.get(0).share(0.5);
                instances.get(1).share(0.5);
            }
            for (int i = 0; i < 3; i++) {
                if (i == 2 && t >= start + 120 * SECOND) {
                    continue;
                }
                if (t >= nextOf[i]) {
                    long wait = instances.get(i).reserve();
                    nextOf[i] = t + wait;
                    begins.add(t + wait);
                }
            }
        }
        begins.sort(null);
        for (long from : begins) {
            long inWindow = begins.stream().filter(b -> b >= from && b < from + 60 * SECOND).count();
            assertThat(inWindow).as("mails begun in the 60 s from %d s", (from - start) / SECOND).isLessThanOrEqualTo(31);
        }
        // and the group keeps its rate: about 150 in 300 s, not a third less after the death
        assertThat(begins.stream().filter(b -> b < start + 300 * SECOND)).hasSizeGreaterThanOrEqualTo(140);
    }

    @Test
    void noShareYetMeansNoSlotTaken() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        GroupRate rate = new GroupRate(new DefaultCamelContext(), "sendmail", "instance-0", 2, now::get);
        rate.share(0);
        assertThat(rate.reserve()).isNegative();
        rate.share(1);
        assertThat(rate.reserve()).isZero();
        assertThat(rate.reserve()).isEqualTo(SECOND / 2);
    }
}
