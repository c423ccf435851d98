package io.camelsendmail.smtp;

import java.util.List;

/**
 * What a connection tells its pool, once its worker is ready to hear it ({@link SmtpConnection#report}): the one way
 * a connection reports anything but a message's outcome.
 */
interface ConnectionEvents {

    /** Messages the server never took, in order: again, on this connection or another. */
    void notTaken(List<Job> jobs);

    /** Messages a transaction delivered to some recipients, with others left for a transaction of their own, in order. */
    void recipientsLeft(List<Job> jobs);

    /** The server said the client sends too fast. */
    default void tooFast() {
    }

    /** The server refused a message for too many connections from this client. */
    default void tooManyConnections() {
    }

    /** The server said the sender's sending quota is used up. */
    default void quotaUsedUp(SmtpReply reply) {
    }
}
