package io.camelsendmail.examples;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared repository's memory: digests of Message-IDs, the most recent ones kept, none mistaken for another. */
class SentMessageIdsTest {

    @Test
    void theMostRecentHalfOfTheCapacityIsAlwaysRemembered() {
        SentMessageIds ids = new SentMessageIds("unused", 1000);
        for (int i = 0; i < 10_000; i++) {
            ids.remember("<m-" + i + "@shop.example>");
            // after every write: the last 500 are there, and never more than 1,000 in all
            assertThat(ids.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(IntStream.range(9_500, 10_000)).allSatisfy(i -> assertThat(ids.contains("<m-" + i + "@shop.example>")).isTrue());
        assertThat(ids.contains("<m-0@shop.example>")).as("forgotten a half at a time").isFalse();
        assertThat(ids.contains("<never-sent@shop.example>")).isFalse();
    }

    @Test
    void aMillionDigestsHoldNoFalseMatchAndRemovalsKeepTheOthers() {
        SentMessageIds.DigestSet set = new SentMessageIds.DigestSet();
        for (int i = 0; i < 1_000_000; i++) {
            long[] d = SentMessageIds.digest("<statement-" + i + "@scale.test>");
            assertThat(set.add(d[0], d[1])).isTrue();
        }
        assertThat(set.size()).isEqualTo(1_000_000);
        for (int i = 0; i < 1_000_000; i += 2) {
            long[] d = SentMessageIds.digest("<statement-" + i + "@scale.test>");
            set.remove(d[0], d[1]);
        }
        for (int i = 0; i < 1_000_000; i++) {
            long[] d = SentMessageIds.digest("<statement-" + i + "@scale.test>");
            assertThat(set.contains(d[0], d[1])).isEqualTo(i % 2 == 1);
            long[] other = SentMessageIds.digest("<other-" + i + "@scale.test>");
            assertThat(set.contains(other[0], other[1])).isFalse();
        }
    }
}
