package io.camelsendmail.message;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Enumeration;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailException;
import io.camelsendmail.smtp.Dsn;
import io.camelsendmail.smtp.OutgoingMessage;

/**
 * A message serialized once, before any connection is borrowed: the envelope, the bytes (CRLF line ends, not
 * dot-stuffed, Bcc removed, ending with a line break) in memory or in a temporary file, their count for SIZE, and the
 * Message-ID. A body that cannot be serialized fails here, as an {@link InvalidMessageException}, with no connection
 * touched.
 */
public final class PreparedMessage implements OutgoingMessage, AutoCloseable {

    /** The largest message held in memory (and sent as one BDAT chunk where the server offers CHUNKING). */
    public static final int IN_MEMORY_MAX = Spool.IN_MEMORY_MAX;

    private static final byte[] CRLF = { '\r', '\n' };

    /** Headers never transmitted. */
    private static final String[] NOT_TRANSMITTED = { "Bcc", "Content-Length" };

    private final Envelope envelope;
    private final String messageId;
    private final Spool spool;
    private final Dsn dsn;

    private PreparedMessage(Envelope envelope, String messageId, Spool spool, Dsn dsn) {
        this.envelope = envelope;
        this.messageId = messageId;
        this.spool = spool;
        this.dsn = dsn;
    }

    /** Serializes the composed message, signed where a signer is given, and closes its source. */
    public static PreparedMessage of(OutgoingMail mail, DkimSigner dkim) throws SendmailException {
        Spool spool = new Spool();
        try {
            DkimSigner.Signing signing = dkim != null ? dkim.start() : null;
            CanonicalOutputStream out = new CanonicalOutputStream(signing != null ? new Tee(spool, signing) : spool);
            String messageId;
            try {
                if (mail.body() == null) {
                    mail.message().writeTo(out, NOT_TRANSMITTED);
                } else {
                    // the header section as completed, then the stream's body as it comes
                    Enumeration<String> lines = mail.message().getNonMatchingHeaderLines(NOT_TRANSMITTED);
                    while (lines.hasMoreElements()) {
                        out.write((lines.nextElement() + "\r\n").getBytes(StandardCharsets.UTF_8));
                    }
                    out.write(CRLF);
                    mail.body().transferTo(out);
                }
                out.endLine();
                messageId = mail.message().getMessageID();
            } catch (MessagingException | IOException | RuntimeException e) {
                if (Spool.isFailure(e)) {
                    throw new SendmailException("the message could not be spooled to a temporary file: " + e.getMessage(),
                            null, -1, true, null, e);
                }
                throw new InvalidMessageException("the message could not be serialized: " + describe(e)
                                                  + "; nothing was sent", null, -1, false, null, e);
            }
            try {
                spool.finish();
            } catch (IOException e) {
                throw new SendmailException("the message could not be spooled to a temporary file: " + e.getMessage(),
                        null, -1, true, null, e);
            }
            if (signing != null) {
                try {
                    spool.prepend(signing.header());
                } catch (GeneralSecurityException e) {
                    throw new SendmailException("the message could not be DKIM-signed: " + e + "; nothing was sent", null,
                            -1, false, null, e);
                }
            }
            return new PreparedMessage(mail.envelope(), messageId, spool, Dsn.identifying(mail.dsn(), messageId));
        } catch (SendmailException | RuntimeException e) {
            spool.close();
            throw e;
        } finally {
            mail.closeSource();
        }
    }

    /** The bytes to the spool and to the signature both. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }

    private static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
        return message == null ? e.toString() : message;
    }

    /**
     * @return the same message for fewer recipients, sharing its bytes: closing either deletes them, so only the one
     *         that is sent is closed
     */
    public PreparedMessage withRecipients(List<InternetAddress> recipients) {
        return new PreparedMessage(new Envelope(envelope.sender(), List.copyOf(recipients)), messageId, spool, dsn);
    }

    public Envelope envelope() {
        return envelope;
    }

    /** The Message-ID header that is sent. */
    public String messageId() {
        return messageId;
    }

    @Override
    public String sender() {
        return envelope.sender().getAddress();
    }

    @Override
    public List<String> recipients() {
        return envelope.recipients().stream().map(a -> a.getAddress()).toList();
    }

    @Override
    public boolean needsSmtpUtf8() {
        return envelope.needsSmtpUtf8();
    }

    @Override
    public long size() {
        return spool.size();
    }

    @Override
    public byte[] bytes() {
        return spool.bytes();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        spool.writeTo(out);
    }

    @Override
    public Dsn dsn() {
        return dsn;
    }

    /** Deletes the temporary file, if the message needed one. */
    @Override
    public void close() {
        try {
            spool.close();
        } catch (UncheckedIOException e) {
            // a temporary file that cannot be deleted is left to the system's cleaning of its temporary folder
        }
    }
}
