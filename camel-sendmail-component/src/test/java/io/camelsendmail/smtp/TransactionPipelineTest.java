package io.camelsendmail.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.camelsendmail.SendmailException;
import io.camelsendmail.support.TextMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transaction pipeline alone: messages and scripted replies in, the bytes it writes and each message's outcome
 * out. No socket, no thread, no clock: what {@link SmtpConnection} does with a real server, step by step.
 */
class TransactionPipelineTest {

    private static final Map<String, String> PIPELINING_CHUNKING = Map.of("PIPELINING", "", "CHUNKING", "");

    /** The wire the pipeline writes to; it can be made to fail, as a socket whose peer reset it. */
    private static final class Wire extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean failing;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failing) {
                throw new IOException("Connection reset by peer");
            }
            bytes.write(b, off, len);
        }

        /** @return what was written since the last call */
        String take() {
            String written = bytes.toString(StandardCharsets.US_ASCII);
            bytes.reset();
            return written;
        }
    }

    private final Wire wire = new Wire();
    private final Map<String, Object> outcomes = new HashMap<>();
    private final List<Job> notTaken = new ArrayList<>();
    private final ConnectionEvents events = new ConnectionEvents() {
        @Override
        public void notTaken(List<Job> jobs) {
            notTaken.addAll(jobs);
        }

        @Override
        public void recipientsLeft(List<Job> jobs) {
            throw new AssertionError("no message here has recipients left");
        }
    };

    private static SmtpSettings settings(boolean partial, int maxInFlight) {
        return new SmtpSettings("mx.test", 25, false, null, "client.test", null, null, null,
                new TransportSecurity(false, false, false, false), 1000, 1000, partial, false, false, 1, 100,
                maxInFlight, 0, 0, 30_000, 900_000, null);
    }

    private TransactionPipeline pipeline(Map<String, String> extensions) {
        return new TransactionPipeline(settings(true, 8), 1, extensions, false, false, wire);
    }

    private Job job(String id, boolean streamed, String... recipients) {
        TextMessage message = new TextMessage(id, Arrays.asList(recipients), streamed);
        return new Job(message, (delivery, failure) -> outcomes.put(id, delivery != null ? delivery : failure),
                Runnable::run);
    }

    private static SmtpReply reply(String line) {
        return new SmtpReply(Integer.parseInt(line.substring(0, 3)), line);
    }

    private static void answer(TransactionPipeline pipeline, String... lines) {
        for (String line : lines) {
            pipeline.replied(reply(line));
        }
    }

    private SendmailException failure(String id) {
        return (SendmailException) outcomes.get(id);
    }

    @Test
    void theWriteModeIsChosenOnceFromWhatTheServerOffers() {
        assertThat(TransactionPipeline.WriteMode.of(PIPELINING_CHUNKING, settings(true, 8)))
                .isEqualTo(new TransactionPipeline.WriteMode(true, true, true, 8));
        // a refused recipient must hold the message back: DATA waits for the RCPT replies
        assertThat(TransactionPipeline.WriteMode.of(PIPELINING_CHUNKING, settings(false, 8)))
                .isEqualTo(new TransactionPipeline.WriteMode(true, false, false, 8));
        assertThat(TransactionPipeline.WriteMode.of(PIPELINING_CHUNKING, settings(true, 1)))
                .isEqualTo(new TransactionPipeline.WriteMode(true, false, true, 1));
        assertThat(TransactionPipeline.WriteMode.of(Map.of("CHUNKING", ""), settings(true, 8)))
                .isEqualTo(new TransactionPipeline.WriteMode(false, true, false, 1));
        assertThat(TransactionPipeline.WriteMode.of(Map.of(), settings(true, 8)))
                .isEqualTo(new TransactionPipeline.WriteMode(false, false, false, 1));
    }

    @Test
    void aWindowOfChunkedTransactionsIsWrittenWithoutWaitingAndSettledByItsReplies() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        for (String id : List.of("m1", "m2", "m3")) {
            assertThat(pipeline.canBegin()).isTrue();
            pipeline.begin(job(id, false, "bob@example.com"), false);
        }
        String written = wire.take();
        String m1 = "Subject: m1\r\n\r\n.m1\r\n";
        assertThat(written).startsWith("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nBDAT " + m1.length()
                                       + " LAST\r\n" + m1
                                       + "RSET\r\nMAIL FROM:<alice@example.com>\r\n");
        // a chunk is not dot-stuffed
        assertThat(written).contains("\r\n.m2\r\n").endsWith(".m3\r\n");
        assertThat(pipeline.awaited()).isEqualTo(3 + 4 + 4);

        answer(pipeline, "250 ok", "250 ok", "250 2.0.0 queued as A1");
        answer(pipeline, "250 reset", "250 ok", "550 5.1.1 no such user", "554 5.5.1 no valid recipients");
        answer(pipeline, "250 reset", "250 ok", "250 ok", "250 2.0.0 queued as A3");
        pipeline.completeSettled();

        assertThat(((Delivery) outcomes.get("m1")).response()).isEqualTo("2.0.0 queued as A1");
        assertThat(failure("m2").getMessage()).contains("550 5.1.1 no such user");
        assertThat(failure("m2").isTransient()).isFalse();
        assertThat(((Delivery) outcomes.get("m3")).response()).isEqualTo("2.0.0 queued as A3");
        assertThat(pipeline.awaited()).isZero();
        assertThat(pipeline.endRequest()).isNull();
    }

    @Test
    void a421AtAnRsetInTheWindowSendsEveryMessageTheServerDidNotTakeAgain() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        for (String id : List.of("m1", "m2", "m3")) {
            pipeline.begin(job(id, false, "bob@example.com"), true);
        }
        answer(pipeline, "250 ok", "250 ok", "250 2.0.0 queued as A1", "421 4.3.2 shutting down");

        assertThat(pipeline.endRequest().ending()).isEqualTo(Settlement.Ending.SERVER_CLOSING);
        pipeline.end(Settlement.Ending.SERVER_CLOSING, null);
        pipeline.completeSettled();
        pipeline.report(events);

        assertThat(outcomes).containsOnlyKeys("m1");
        assertThat(notTaken).extracting(job -> ((TextMessage) job.message).text()).containsExactly("m2", "m3");
        assertThat(pipeline.canBegin()).isFalse();
    }

    @Test
    void repliesReadBeforeTheConnectionWasLostCountAndTheRestMayHaveBeenAccepted() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        for (String id : List.of("m1", "m2", "m3")) {
            pipeline.begin(job(id, false, "bob@example.com"), true);
        }
        // the next write fails: nothing more goes out, and the replies that had come are still read
        wire.failing = true;
        pipeline.begin(job("m4", false, "bob@example.com"), true);
        assertThat(pipeline.endRequest().readable()).isTrue();
        answer(pipeline, "250 ok", "250 ok", "250 2.0.0 queued as A1");
        answer(pipeline, "250 reset", "250 ok", "250 ok", "250 2.0.0 queued as A2");
        pipeline.end(Settlement.Ending.LOST, new IOException("Connection reset by peer"));
        pipeline.completeSettled();
        pipeline.report(events);

        assertThat(outcomes.get("m1")).isInstanceOf(Delivery.class);
        assertThat(outcomes.get("m2")).isInstanceOf(Delivery.class);
        // its chunk was written and no reply came: a retry could send it twice
        assertThat(failure("m3").isTransient()).isFalse();
        assertThat(failure("m3").getMessage()).contains("may have accepted it");
        // nothing of it left: it goes again
        assertThat(notTaken).extracting(job -> ((TextMessage) job.message).text()).containsExactly("m4");
    }

    @Test
    void withoutPipeliningEachCommandWaitsForTheReplyBeforeIt() {
        TransactionPipeline pipeline = pipeline(Map.of());
        pipeline.begin(job("m1", false, "bob@example.com", "carol@example.com"), false);
        assertThat(wire.take()).isEqualTo("MAIL FROM:<alice@example.com>\r\n");
        assertThat(pipeline.canBegin()).isFalse();
        answer(pipeline, "250 ok");
        assertThat(wire.take()).isEqualTo("RCPT TO:<bob@example.com>\r\n");
        answer(pipeline, "250 ok");
        assertThat(wire.take()).isEqualTo("RCPT TO:<carol@example.com>\r\n");
        answer(pipeline, "250 ok");
        assertThat(wire.take()).isEqualTo("DATA\r\n");
        answer(pipeline, "354 go ahead");
        // dot-stuffed, and the final dot
        assertThat(wire.take()).isEqualTo("Subject: m1\r\n\r\n..m1\r\n.\r\n");
        answer(pipeline, "250 2.0.0 queued as B1");
        pipeline.completeSettled();
        assertThat(((Delivery) outcomes.get("m1")).statuses()).hasSize(2);
        assertThat(pipeline.canBegin()).isTrue();
    }

    @Test
    void aStreamedMessageWaitsForItsEnvelopeWhereAChunkWouldNot() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        pipeline.begin(job("big", true, "bob@example.com"), false);
        assertThat(wire.take()).isEqualTo("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
        // nothing follows a DATA still waiting for its 354
        assertThat(pipeline.canBegin()).isFalse();
        answer(pipeline, "250 ok", "250 ok", "354 go ahead");
        assertThat(wire.take()).isEqualTo("Subject: big\r\n\r\n..big\r\n.\r\n");
        assertThat(pipeline.canBegin()).isTrue();
    }

    @Test
    void quitGoesBehindTheLastTransactionAndNothingBeginsAfterIt() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        pipeline.begin(job("m1", false, "bob@example.com"), false);
        assertThat(pipeline.quit()).isTrue();
        assertThat(wire.take()).endsWith(".m1\r\nQUIT\r\n");
        assertThat(pipeline.canBegin()).isFalse();
        assertThat(pipeline.quit()).as("once").isFalse();
        answer(pipeline, "250 ok", "250 ok", "250 2.0.0 queued as C1");
        assertThat(pipeline.quitAnswered()).isFalse();
        answer(pipeline, "221 2.0.0 bye");
        assertThat(pipeline.quitAnswered()).isTrue();
        pipeline.completeSettled();
        assertThat(outcomes.get("m1")).isInstanceOf(Delivery.class);
    }

    @Test
    void quitWaitsWhileADataCommandAwaitsItsGoAhead() {
        TransactionPipeline pipeline = pipeline(Map.of("PIPELINING", ""));
        pipeline.begin(job("m1", false, "bob@example.com"), false);
        // QUIT may only be the last of a group: not before the message it would cut off
        assertThat(pipeline.quit()).isFalse();
        answer(pipeline, "250 ok", "250 ok", "354 go ahead");
        assertThat(pipeline.quit()).isTrue();
        assertThat(wire.take()).endsWith("\r\n.\r\nQUIT\r\n");
    }

    @Test
    void withoutPipeliningARefusedSenderFailsOnceItsRsetIsAnswered() {
        TransactionPipeline pipeline = pipeline(Map.of());
        pipeline.begin(job("m1", false, "bob@example.com"), false);
        wire.take();
        answer(pipeline, "550 5.7.1 sender refused");
        assertThat(wire.take()).isEqualTo("RSET\r\n");
        pipeline.completeSettled();
        // the connection is ready for the next message by the time the route hears of this one
        assertThat(outcomes).isEmpty();
        answer(pipeline, "250 ok");
        pipeline.completeSettled();
        assertThat(failure("m1").getMessage()).contains("550 5.7.1 sender refused");
        assertThat(pipeline.canBegin()).isTrue();
    }

    @Test
    void aRefusalAfterQuitWasWrittenSendsNothingMore() {
        TransactionPipeline pipeline = pipeline(PIPELINING_CHUNKING);
        pipeline.begin(job("m1", false, "nobody@example.com"), false);
        pipeline.quit();
        wire.take();
        answer(pipeline, "250 ok", "550 5.1.1 no such user", "554 5.5.1 no valid recipients", "221 2.0.0 bye");
        pipeline.completeSettled();
        assertThat(failure("m1").getMessage()).contains("550 5.1.1 no such user");
        assertThat(wire.take()).isEmpty();
        assertThat(pipeline.quitAnswered()).isTrue();
    }
}
