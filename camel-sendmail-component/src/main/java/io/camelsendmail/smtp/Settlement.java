package io.camelsendmail.smtp;

/**
 * The settlement rule, in one place: from what was written for a transaction and what the server answered, the outcome
 * of its message. A pure function of values; {@link TransactionPipeline#end} calls it for every transaction the
 * connection ends with, once the driver has given it whatever replies the socket still held.
 * <ol>
 * <li>A transaction whose final reply was read is <b>delivered</b> (2xx) or <b>refused</b> (anything else), even where
 * the socket failed afterwards; one that a refusal already ended is refused with that reply.</li>
 * <li>The server said 421: it processed nothing after that reply, so every transaction still open was <b>not
 * taken</b>, and goes again.</li>
 * <li>The connection was lost without a 421 (a reset, an end of stream, a reply that is not SMTP, a timeout): a
 * transaction whose end of data was written <b>may have been accepted</b>, not transient, since a retry could
 * duplicate it; one whose MAIL FROM was accepted <b>fails, transient</b>; the oldest, on a connection opened for it,
 * fails transient too (a server that drops every connection must not loop); every other was <b>not taken</b>.</li>
 * </ol>
 */
final class Settlement {

    private Settlement() {
    }

    /** A transaction's outcome. */
    enum Verdict {
        /** Not decided yet: the connection is open and replies are still due. */
        PENDING,
        /** Its final reply was 2xx. */
        DELIVERED,
        /** A reply of the server ended it: the exchange fails with that reply. */
        REFUSED,
        /** The server did not take it: the message goes back to the queue for another connection. */
        NOT_TAKEN,
        /** Its MAIL FROM was taken or its connection was fresh, and the connection failed: fails, transient. */
        FAILED_TRANSIENT,
        /** Its end of data was written and no reply to it came: fails, not transient. */
        MAY_HAVE_BEEN_ACCEPTED
    }

    /** How the connection under the transaction stands. */
    enum Ending {
        /** Open: replies are still to come. */
        OPEN,
        /** The server said 421 (RFC 5321 3.8): nothing after that reply was processed. */
        SERVER_CLOSING,
        /** Ended without a 421: I/O failure, end of stream, a reply that is not SMTP, a protocol violation. */
        LOST
    }

    /**
     * What is known of one transaction.
     *
     * @param finalReply   the code of the reply to its end of data (or BDAT LAST), or -1 when none was read
     * @param refused      a reply refused it already (sender, recipients, DATA)
     * @param finalWritten its final dot, or its BDAT LAST chunk, was written to the socket
     * @param mailAccepted its MAIL FROM was answered 250
     * @param oldest       it is the oldest transaction still open on the connection
     * @param retriable    it may go back to the queue when the connection fails at its turn: the connection was reused
     *                     (the server may have closed it while idle) and the message has not gone back before
     */
    record Progress(int finalReply, boolean refused, boolean finalWritten, boolean mailAccepted, boolean oldest,
            boolean retriable) {
    }

    static Verdict settle(Progress p, Ending ending) {
        if (p.finalReply() >= 0) {
            return p.finalReply() >= 200 && p.finalReply() < 300 ? Verdict.DELIVERED : Verdict.REFUSED;
        }
        if (p.refused()) {
            return Verdict.REFUSED;
        }
        return switch (ending) {
            case OPEN -> Verdict.PENDING;
            case SERVER_CLOSING -> Verdict.NOT_TAKEN;
            case LOST -> {
                if (p.finalWritten()) {
                    yield Verdict.MAY_HAVE_BEEN_ACCEPTED;
                }
                if (p.mailAccepted() || p.oldest() && !p.retriable()) {
                    yield Verdict.FAILED_TRANSIENT;
                }
                yield Verdict.NOT_TAKEN;
            }
        };
    }
}
