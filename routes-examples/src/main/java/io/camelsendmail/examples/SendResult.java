package io.camelsendmail.examples;

import java.util.List;
import java.util.stream.Collectors;

import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailConstants;
import org.apache.camel.Exchange;

/** One line per recipient, as the server answered: {@code bob@example.com 250 2.1.5 OK}. */
final class SendResult {

    private SendResult() {
    }

    static String of(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<RecipientStatus> statuses = exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
        String lines = statuses == null ? "" : statuses.stream().map(s -> "  " + s.address() + " " + s.code() + " "
                                                                          + s.response().replace('\n', ' '))
                .collect(Collectors.joining("\n"));
        return exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID) + " accepted by "
               + exchange.getMessage().getHeader(SendmailConstants.ACCEPTED) + " of "
               + (statuses == null ? 0 : statuses.size()) + " recipients, server said: "
               + exchange.getMessage().getHeader(SendmailConstants.RESPONSE) + "\n" + lines;
    }
}
