package io.camelsendmail.smtp;

import java.util.List;

import io.camelsendmail.RecipientStatus;

/**
 * The outcome of one accepted SMTP transaction.
 *
 * @param statuses one per RCPT, in order
 * @param response the server's reply text to the end of the data
 */
public record Delivery(List<RecipientStatus> statuses, String response) {

    public int accepted() {
        return (int) statuses.stream().filter(RecipientStatus::accepted).count();
    }
}
