package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * More recipients than one transaction may carry: after a {@code 452 4.5.3} (as Gmail answers past 100), beyond
 * {@code maxRecipientsPerMessage}, or beyond the server's RFC 9422 {@code LIMITS RCPTMAX}, the rest go in further
 * transactions of the same message: same bytes, one exchange, every recipient's own status.
 */
class RecipientLimitsTest {

    private static final String MAIL = "?from=news@example.com&subject=Newsletter";

    private static List<String> recipients(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "r" + i + "@example.com").toList();
    }

    /** The RCPT addresses of each transaction the server saw, in order, per connection. */
    private static List<List<String>> transactions(ScriptedSmtpServer server) {
        List<List<String>> transactions = new ArrayList<>();
        Map<Integer, List<String>> open = new ConcurrentHashMap<>();
        for (ScriptedSmtpServer.Received r : server.received()) {
            String line = r.line();
            if (line.startsWith("MAIL FROM:")) {
                List<String> tx = new ArrayList<>();
                transactions.add(tx);
                open.put(r.connection(), tx);
            } else if (line.startsWith("RCPT TO:<")) {
                open.get(r.connection()).add(line.substring(9, line.indexOf('>')));
            }
        }
        return transactions;
    }

    /** A server that refuses every recipient past the 100th of a transaction with Gmail's 452 4.5.3. */
    private static ScriptedSmtpServer gmailLike(String... extensions) throws Exception {
        Map<Integer, AtomicInteger> rcpts = new ConcurrentHashMap<>();
        return ScriptedSmtpServer.start().extensions(extensions).dynamic((connection, command) -> {
            if (command.startsWith("MAIL FROM")) {
                rcpts.put(connection, new AtomicInteger());
            } else if (command.startsWith("RCPT TO") && rcpts.get(connection).incrementAndGet() > 100) {
                return "452 4.5.3 Your message has too many recipients. For more information regarding Google's sending "
                       + "limits, visit https://support.google.com/mail/?p=TooManyRecipientsError";
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "PIPELINING", "PIPELINING,CHUNKING" })
    void aHundredAndFiftyRecipientsPastA452AfterAHundredGoInTwoTransactionsOfOneExchange(String extensions) throws Exception {
        List<String> all = recipients(150);
        try (ScriptedSmtpServer server = gmailLike(extensions.isEmpty() ? new String[0] : extensions.split(","));
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exchange sent = route.send("Hello all.", Map.of("To", String.join(",", all)));

            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(150);
            List<?> statuses = sent.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
            assertThat(statuses).hasSize(150).allSatisfy(s -> assertThat(((RecipientStatus) s).code()).isEqualTo(250));
            assertThat(statuses).extracting(s -> ((RecipientStatus) s).address()).containsExactlyElementsOf(all);

            List<List<String>> transactions = transactions(server);
            assertThat(transactions).hasSize(2);
            assertThat(transactions.get(0)).containsExactlyElementsOf(all);
            assertThat(transactions.get(1)).containsExactlyElementsOf(all.subList(100, 150));
            // the same message twice: same bytes, same Message-ID
            assertThat(server.messages()).hasSize(2);
            assertThat(server.messages().get(1)).isEqualTo(server.messages().get(0))
                    .contains("Message-ID: " + sent.getMessage().getHeader(SendmailConstants.MESSAGE_ID));
        }
    }

    @Test
    void maxRecipientsPerMessageSplitsUpFrontInEnvelopeOrder() throws Exception {
        List<String> all = recipients(120);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "CHUNKING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&maxRecipientsPerMessage=50")) {
            Exchange sent = route.send("Hello all.", Map.of("To", String.join(",", all)));

            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(120);
            assertThat(transactions(server)).extracting(List::size).containsExactly(50, 50, 20);
            assertThat(transactions(server).stream().flatMap(List::stream).toList()).containsExactlyElementsOf(all);
            assertThat(server.messages()).hasSize(3).containsOnly(server.messages().get(0));
        }
    }

    @Test
    void theServersLimitsRcptmaxAndMailmaxAreNeverExceeded() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "LIMITS RCPTMAX=10 MAILMAX=3");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            for (int m = 0; m < 4; m++) {
                List<String> all = IntStream.rangeClosed(1, 25).mapToObj(i -> "m" + i + "@example.com").toList();
                Exchange sent = route.send("Message", Map.of("To", String.join(",", all)));
                assertThat(sent.getException()).isNull();
                assertThat(sent.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(25);
            }
            assertThat(transactions(server)).hasSize(12).allSatisfy(tx -> assertThat(tx).hasSizeLessThanOrEqualTo(10));
            Map<Integer, Long> mailsPerConnection = server.received().stream().filter(r -> r.line().startsWith("MAIL FROM"))
                    .collect(Collectors.groupingBy(ScriptedSmtpServer.Received::connection, Collectors.counting()));
            assertThat(mailsPerConnection.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
            assertThat(server.messages()).hasSize(12);
        }
    }

    @Test
    void aLaterTransactionRefusedLeavesTheEarlierRecipientsDeliveredAndSaysWhoIsLeft() throws Exception {
        AtomicInteger ends = new AtomicInteger();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").dynamic((c, command) ->
                command.equals(ScriptedSmtpServer.END_OF_DATA) && ends.incrementAndGet() == 2
                        ? "554 5.7.1 Message rejected by policy" : null);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                    + "&maxRecipientsPerMessage=2")) {
            Exchange sent = route.send("x", Map.of("To", "a@example.com, b@example.com, c@example.com"));

            // a and b have it: sending it again would double it for them, so the exchange is not a failure to redeliver
            assertThat(sent.getException()).isNull();
            assertThat(sent.getMessage().getHeader(SendmailConstants.ACCEPTED)).isEqualTo(2);
            List<String> statuses = ((List<?>) sent.getMessage().getHeader(SendmailConstants.STATUSES, List.class)).stream()
                    .map(Object::toString).toList();
            assertThat(statuses).hasSize(3);
            assertThat(statuses.get(0)).startsWith("a@example.com 250");
            assertThat(statuses.get(1)).startsWith("b@example.com 250");
            assertThat(statuses.get(2)).startsWith("c@example.com 554 not sent:").contains("Message rejected by policy");
        }
        ends.set(0);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING").dynamic((c, command) ->
                command.equals(ScriptedSmtpServer.END_OF_DATA) && ends.incrementAndGet() == 2
                        ? "554 5.7.1 Message rejected by policy" : null);
             SendmailRoute strict = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL
                                                     + "&maxRecipientsPerMessage=2&allowPartialDelivery=false")) {
            Exception e = strict.send("x", Map.of("To", "a@example.com, b@example.com, c@example.com")).getException();
            assertThat(e).isInstanceOf(SmtpDeliveryException.class).hasMessageContaining("went to 2 of 3 recipients");
            assertThat(((SendmailException) e).isTransient()).as("never redelivered: a and b have it").isFalse();
            assertThat(((SendmailException) e).getStatuses()).hasSize(3);
        }
    }

    @Test
    void aBadLimitIsRefusedNamingIt() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> SendmailRoute.to("sendmail:127.0.0.1:25?from=a@example.com&maxRecipientsPerMessage=0"));
        assertThat(e).hasStackTraceContaining("maxRecipientsPerMessage must be at least 1, got 0");
    }
}
