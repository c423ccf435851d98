package io.camelsendmail;

import java.util.List;

/**
 * The outcome of one accepted SMTP transaction.
 *
 * @param statuses  one per RCPT, in order
 * @param messageId the Message-ID that was sent
 * @param response  the server's reply text to the end of the data
 */
record Delivery(List<RecipientStatus> statuses, String messageId, String response) {

    int accepted() {
        return (int) statuses.stream().filter(RecipientStatus::accepted).count();
    }
}
