package io.camelsendmail.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.TextMessage;
import io.camelsendmail.support.ScriptedSmtpServer.Received;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages sent together (a poll of Kafka records, a split) whose route threads finish preparing them apart: the
 * connection waits for those still being prepared before it writes the ones it has begun, so that all of them leave in
 * one write and take one round trip. The wait is a quarter of the connection's round trip at most.
 */
class BurstTest {

    private static CompletableFuture<Delivery> send(SmtpConnectionPool pool, String text, boolean prepared) {
        CompletableFuture<Delivery> outcome = new CompletableFuture<>();
        pool.submit(new TextMessage(text), (delivery, failure) -> {
            if (failure != null) {
                outcome.completeExceptionally(failure);
            } else {
                outcome.complete(delivery);
            }
        }, prepared);
        return outcome;
    }

    @Test
    void eightMessagesAnnouncedTogetherAndSubmittedApartLeaveInOneWrite() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        ExecutorService threads = Executors.newCachedThreadPool();
        // the server is "far": its EHLO takes 100 ms, so the connection waits up to 20 ms for messages being prepared
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING")
                .pauseBefore("EHLO", 100)) {
            SmtpSettings settings = new SmtpSettings("127.0.0.1", server.port(), false, null, "client.test", null, null,
                    null, new TransportSecurity(false, false, false, false), 5000, 10_000, true, false, false, 1, 1000, 8,
                    0, 0, 30_000, 900_000, timers);
            SmtpConnectionPool pool = new SmtpConnectionPool(settings, threads, threads, Runnable::run);
            try {
                // the connection is open and idle
                send(pool, "warm-up", false).get(10, TimeUnit.SECONDS);
                int before = server.received().size();

                // eight route threads start preparing at once; they finish a millisecond apart
                for (int i = 0; i < 8; i++) {
                    pool.preparing();
                }
                List<CompletableFuture<Delivery>> outcomes = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    outcomes.add(send(pool, "burst " + i, true));
                    Thread.sleep(1);
                }
                for (CompletableFuture<Delivery> outcome : outcomes) {
                    assertThat(outcome.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(1);
                }
                assertThat(server.messages()).hasSize(9);

                // each transaction after the first had reached the server before it answered the one before it
                List<Received> burst = server.received().subList(before, server.received().size());
                List<Received> firstLines = new ArrayList<>();
                for (int i = 0; i < burst.size(); i++) {
                    // a transaction begins with RSET where one went before it in the window, else with MAIL
                    if (burst.get(i).line().startsWith("MAIL FROM")) {
                        firstLines.add(i > 0 && burst.get(i - 1).line().equals("RSET") ? burst.get(i - 1) : burst.get(i));
                    }
                }
                assertThat(firstLines).hasSize(8);
                assertThat(firstLines.subList(1, 8)).as("written with the burst's first transaction")
                        .allMatch(Received::batched);
            } finally {
                pool.close();
            }
        } finally {
            threads.shutdownNow();
            timers.shutdownNow();
        }
    }
}
