package io.camelsendmail.smtp;

import io.camelsendmail.smtp.Settlement.Ending;
import io.camelsendmail.smtp.Settlement.Progress;
import io.camelsendmail.smtp.Settlement.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The settlement rule, case by case: values in, a verdict out. */
class SettlementTest {

    private static Progress progress(int finalReply, boolean refused, boolean finalWritten, boolean mailAccepted,
                                     boolean oldest, boolean retriable) {
        return new Progress(finalReply, refused, finalWritten, mailAccepted, oldest, retriable);
    }

    @Test
    void aFinalReplyDecidesWhateverHappenedToTheConnectionAfterIt() {
        for (Ending ending : Ending.values()) {
            assertThat(Settlement.settle(progress(250, false, true, true, true, false), ending)).isEqualTo(Verdict.DELIVERED);
            assertThat(Settlement.settle(progress(554, false, true, true, true, false), ending)).isEqualTo(Verdict.REFUSED);
            assertThat(Settlement.settle(progress(451, false, true, true, true, false), ending)).isEqualTo(Verdict.REFUSED);
            assertThat(Settlement.settle(progress(-1, true, false, false, false, true), ending)).isEqualTo(Verdict.REFUSED);
        }
    }

    @Test
    void whileTheConnectionIsOpenNothingElseIsDecided() {
        assertThat(Settlement.settle(progress(-1, false, true, true, true, false), Ending.OPEN)).isEqualTo(Verdict.PENDING);
        assertThat(Settlement.settle(progress(-1, false, false, false, false, true), Ending.OPEN)).isEqualTo(Verdict.PENDING);
    }

    @Test
    void afterA421NothingOpenWasTakenNotEvenAMessageWhoseDataWasWritten() {
        assertThat(Settlement.settle(progress(-1, false, true, true, true, false), Ending.SERVER_CLOSING))
                .isEqualTo(Verdict.NOT_TAKEN);
        assertThat(Settlement.settle(progress(-1, false, false, true, false, false), Ending.SERVER_CLOSING))
                .isEqualTo(Verdict.NOT_TAKEN);
        assertThat(Settlement.settle(progress(-1, false, false, false, true, false), Ending.SERVER_CLOSING))
                .isEqualTo(Verdict.NOT_TAKEN);
    }

    @Test
    void aLostConnectionFailsWhatTheServerMayHoldNotTransientAndSendsAgainOnlyWhatItCannotHold() {
        assertThat(Settlement.settle(progress(-1, false, true, true, false, true), Ending.LOST))
                .isEqualTo(Verdict.MAY_HAVE_BEEN_ACCEPTED);
        assertThat(Settlement.settle(progress(-1, false, false, true, false, true), Ending.LOST))
                .isEqualTo(Verdict.FAILED_TRANSIENT);
        // the oldest on a connection opened for it: a server that drops every connection must not loop
        assertThat(Settlement.settle(progress(-1, false, false, false, true, false), Ending.LOST))
                .isEqualTo(Verdict.FAILED_TRANSIENT);
        assertThat(Settlement.settle(progress(-1, false, false, false, true, true), Ending.LOST))
                .isEqualTo(Verdict.NOT_TAKEN);
        assertThat(Settlement.settle(progress(-1, false, false, false, false, false), Ending.LOST))
                .isEqualTo(Verdict.NOT_TAKEN);
    }
}
