package io.camelsendmail.smtp;

import io.camelsendmail.SendmailException;

/** Hears, once and off the connection's thread, how a message queued to the pool ended. */
@FunctionalInterface
public interface DeliveryCallback {

    /** @param delivery the accepted transaction, or null when {@code failure} says why the message was not sent */
    void completed(Delivery delivery, SendmailException failure);
}
