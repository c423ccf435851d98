package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A window of pipelined transactions on one connection, and a server that ends it or misbehaves inside it: every
 * message the server did not take goes again (or fails transient), the replies that came before a close count, and a
 * line that no command asked for makes the connection unusable instead of shifting every later reply.
 */
class WindowFailuresTest {

    private static final String ONE_CONNECTION = "?from=alice@example.com&to=bob@example.com&maxConnections=1";

    /** 12 messages in a CHUNKING window; the server says 421 at the 4th command of one kind, then closes. */
    @ParameterizedTest
    @ValueSource(strings = { "RSET", "MAIL", "RCPT", ScriptedSmtpServer.END_OF_DATA })
    void a421InsideAChunkingWindowSendsEveryMessageTheServerDidNotTakeAgain(String at) throws Exception {
        AtomicInteger seen = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 10)
                .dynamic((connection, command) -> connection == 1 && command.toUpperCase().startsWith(at.toUpperCase())
                                                  && seen.incrementAndGet() == 4
                        ? "421 4.3.2 scripted.test shutting down" : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 12);

            assertThat(seen.get()).as("the 421 was given").isGreaterThanOrEqualTo(4);
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < exchanges.size(); i++) {
                Exception e = exchanges.get(i).getException();
                if (e != null) {
                    // the one message whose own command got the 421 fails with it, transient; nothing else fails
                    assertThat(e).isInstanceOf(SendmailException.class);
                    assertThat(((SendmailException) e).isTransient()).as(e.getMessage()).isTrue();
                    assertThat(((SendmailException) e).getCode()).isEqualTo(421);
                    failed.add("message " + i);
                }
            }
            assertThat(failed).hasSizeLessThanOrEqualTo(at.equals("RSET") ? 0 : 1);
            // every other message reached the server, each once
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                if (!failed.contains("message " + i)) {
                    expected.add("message " + i);
                }
            }
            assertThat(server.bodies()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(server.connections()).isGreaterThanOrEqualTo(2);
        }
    }

    /** The server answers three messages' chunks 250, then closes: those three are delivered, not "may have". */
    @Test
    void repliesThatCameBeforeACloseAreHonoured() throws Exception {
        AtomicInteger ends = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 10)
                .dynamic((connection, command) -> connection == 1 && command.equals(ScriptedSmtpServer.END_OF_DATA)
                                                  && ends.incrementAndGet() == 3
                        ? "250 2.0.0 queued as THIRD" + ScriptedSmtpServer.THEN_CLOSE : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 8);

            List<String> delivered = exchanges.stream().filter(e -> e.getException() == null)
                    .map(e -> e.getMessage().getHeader(SendmailConstants.RESPONSE, String.class)).toList();
            assertThat(delivered).contains("2.0.0 queued as THIRD");
            // the server kept the three it answered; each delivered exchange is one of the messages it kept
            assertThat(server.accepted().stream().filter(a -> a.connection() == 1)).hasSize(3);
            assertThat(delivered).hasSize(server.accepted().size());
            for (Exchange e : exchanges) {
                if (e.getException() instanceof SendmailException failure && !failure.isTransient()) {
                    // only a message whose data was written with no reply at all may say so
                    assertThat(failure.getMessage()).contains("may have accepted it");
                }
            }
        }
    }

    /**
     * The server answers a chunk 250 and says 421 at once, then closes (as Postfix does when it shuts down): the write
     * of the next transaction fails, and the 250 and the 421 still in the socket decide, not the failed write.
     */
    @Test
    void aWriteThatFailsAfterA421StillReadsIt() throws Exception {
        AtomicInteger ends = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING").pauseBefore("MAIL", 10)
                .dynamic((connection, command) -> connection == 1 && command.equals(ScriptedSmtpServer.END_OF_DATA)
                                                  && ends.incrementAndGet() == 3
                        ? "250 2.0.0 queued as THIRD\r\n421 4.3.2 scripted.test shutting down" + ScriptedSmtpServer.THEN_CLOSE
                        : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            List<Exchange> exchanges = sendAtOnce(route, 12);

            List<String> failures = new ArrayList<>();
            for (Exchange e : exchanges) {
                if (e.getException() instanceof SendmailException failure) {
                    // at most the message whose MAIL FROM the 421 answered fails, and transient: the server took none
                    assertThat(failure.isTransient()).as(failure.getMessage()).isTrue();
                    failures.add(failure.getMessage());
                }
            }
            assertThat(failures).hasSizeLessThanOrEqualTo(1);
            assertThat(exchanges.stream().filter(e -> e.getException() == null)
                    .map(e -> e.getMessage().getHeader(SendmailConstants.RESPONSE, String.class))).contains("2.0.0 queued as THIRD");
            assertThat(server.messages()).hasSize(12 - failures.size()).doesNotHaveDuplicates();
        }
    }

    /** A stray 250 while the connection is idle: the next message goes on another connection, its replies its own. */
    @Test
    void aLineSentWhileNothingIsAwaitedMakesTheConnectionUnusable() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING")
                .dynamic((connection, command) -> connection == 1 && command.equals(ScriptedSmtpServer.END_OF_DATA)
                        ? "250 2.0.0 queued as FIRST\r\n" + ScriptedSmtpServer.PAUSE + "250 2.0.0 stray" : null)
                .on("RCPT TO:<nobody@example.com>", "550 5.1.1 no such user");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            assertThat(route.send("first").getException()).isNull();
            // the stray line arrives 100 ms after the 250, while the connection is idle
            Thread.sleep(400);
            Exchange refused = route.send("second", java.util.Map.of("To", "nobody@example.com"));
            Exchange third = route.send("third");

            assertThat(refused.getException()).isInstanceOf(SmtpDeliveryException.class);
            SmtpDeliveryException e = (SmtpDeliveryException) refused.getException();
            assertThat(e.getStep()).isEqualTo("RCPT");
            assertThat(e.getStatuses()).containsExactly(new RecipientStatus("nobody@example.com", 550, "5.1.1 no such user"));
            assertThat(third.getException()).isNull();
            assertThat(server.bodies()).containsExactly("first", "third");
            // the second message went on a new connection: the first was closed for the stray line
            assertThat(server.connections()).isGreaterThanOrEqualTo(2);
            assertThat(server.received().stream().filter(r -> r.connection() == 1 && r.line().startsWith("MAIL"))).hasSize(1);
        }
    }

    /** 250s written before MAIL was even sent are not taken for the replies to MAIL, RCPT and BDAT. */
    @Test
    void aServerFloodingRepliesIsNotBelieved() throws Exception {
        String flood = "250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n250 2.0.0 ok\r\n250 2.0.0 ok\r\n250 2.0.0 ok";
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("EHLO", flood).pauseBefore("MAIL", 200);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ONE_CONNECTION)) {
            Exchange sent = route.send("hello");

            assertThat(sent.getException()).isInstanceOf(SmtpConnectException.class)
                    .hasMessageContaining("no command asked for");
            assertThat(((SendmailException) sent.getException()).isTransient()).isTrue();
            assertThat(server.sawCommand("MAIL")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }

    private static List<Exchange> sendAtOnce(SendmailRoute route, int count) throws Exception {
        ProducerTemplate template = route.context().createProducerTemplate();
        List<Future<Exchange>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = "message " + i;
            futures.add(template.asyncSend("direct:send", exchange -> exchange.getMessage().setBody(body)));
        }
        List<Exchange> exchanges = new ArrayList<>();
        for (Future<Exchange> future : futures) {
            exchanges.add(future.get(60, TimeUnit.SECONDS));
        }
        return exchanges;
    }
}
