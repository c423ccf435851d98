package io.camelsendmail.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Locale;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.LineOutputStream;
import jakarta.mail.util.StreamProvider;

/**
 * A message built or parsed by this component: keeps a Message-ID it already has, and otherwise makes one in the
 * sender's domain without a host name lookup. A single-part text message it built is written out as Jakarta Mail
 * writes it, but with the session's stream provider instead of a provider lookup per write (jakartaee/mail-api#861).
 */
public final class ComposedMessage extends MimeMessage {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** As jakarta.mail.internet.MimeBodyPart reads it. */
    private static final boolean ALLOW_UTF8 = !"false".equalsIgnoreCase(System.getProperty("mail.mime.allowutf8", "true"));

    private String idDomain = "localhost";

    ComposedMessage(Session session) {
        super(session);
    }

    ComposedMessage(Session session, InputStream rfc5322) throws MessagingException {
        super(session, rfc5322);
    }

    /** The header section of a message whose body is kept apart (a stream of any size). */
    ComposedMessage(Session session, InternetHeaders headerSection) {
        super(session);
        this.headers = headerSection;
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

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        if (!saved) {
            saveChanges();
        }
        String type = getContentType();
        // only text this component put in itself: a parsed part's DataHandler is Jakarta Mail's own subclass, whose
        // content is copied as it was encoded
        if (!modified || session == null || type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/")
            || getDataHandler().getClass() != DataHandler.class) {
            super.writeTo(os, ignoreList);
            return;
        }
        // what MimeBodyPart.writeTo does for a text part, with the session's provider
        StreamProvider provider = session.getStreamProvider();
        LineOutputStream lines = os instanceof LineOutputStream l ? l : provider.outputLineStream(os, ALLOW_UTF8);
        Enumeration<String> headers = getNonMatchingHeaderLines(ignoreList);
        while (headers.hasMoreElements()) {
            lines.writeln(headers.nextElement());
        }
        lines.writeln();
        OutputStream encoded = encoder(provider, os, getEncoding());
        getDataHandler().writeTo(encoded);
        encoded.flush();
    }

    /** Jakarta Mail's own path, for comparison. */
    public void writeAsJakartaMailDoes(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        super.writeTo(os, ignoreList);
    }

    private static OutputStream encoder(StreamProvider provider, OutputStream os, String encoding) throws MessagingException {
        if (encoding == null) {
            return os;
        }
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "base64" -> provider.outputBase64(os);
            case "quoted-printable" -> provider.outputQP(os);
            case "7bit", "8bit", "binary" -> provider.outputBinary(os);
            case "uuencode", "x-uuencode", "x-uue" -> provider.outputUU(os, null);
            default -> throw new MessagingException("Unknown encoding: " + encoding);
        };
    }
}
