package io.camelsendmail;

import java.io.InputStream;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * A message built or parsed by this component: keeps a Message-ID it already has, and otherwise makes one in the
 * sender's domain without a host name lookup.
 */
final class ComposedMessage extends MimeMessage {

    private static final SecureRandom RANDOM = new SecureRandom();

    private String idDomain = "localhost";

    ComposedMessage(Session session) {
        super(session);
    }

    ComposedMessage(Session session, InputStream rfc5322) throws MessagingException {
        super(session, rfc5322);
    }

    /** The domain of a Message-ID made for this message. */
    void setIdDomain(String idDomain) {
        this.idDomain = idDomain;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
        ensureMessageId();
    }

    void ensureMessageId() throws MessagingException {
        if (getHeader("Message-ID") == null) {
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            setHeader("Message-ID", "<" + HexFormat.of().formatHex(random) + "@" + idDomain + ">");
        }
    }
}
