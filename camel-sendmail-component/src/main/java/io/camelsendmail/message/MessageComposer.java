package io.camelsendmail.message;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.SharedInputStream;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;

import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailConfiguration;
import io.camelsendmail.SendmailConstants;
import io.camelsendmail.SendmailException;
import io.camelsendmail.smtp.Dsn;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.WrappedFile;
import org.apache.camel.attachment.Attachment;
import org.apache.camel.attachment.AttachmentMessage;

/**
 * The one place that turns an exchange's headers, the endpoint's options and the body into an envelope and a message.
 */
public final class MessageComposer {

    private static final String NO_SENDER = "no sender: set the from option or the From header";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MessageComposer.class);
    private static final String NO_RECIPIENTS = "no recipients: set the to, cc or bcc option or the To, Cc or Bcc header";

    private final SendmailConfiguration configuration;
    private final Session session;
    private final DkimSigner dkim;

    public MessageComposer(SendmailConfiguration configuration, Session session) {
        this(configuration, session, null);
    }

    private MessageComposer(SendmailConfiguration configuration, Session session, DkimSigner dkim) {
        this.configuration = configuration;
        this.session = session;
        this.dkim = dkim;
    }

    /**
     * A composer whose messages may carry UTF-8 addresses in their headers (sent only where the server has SMTPUTF8),
     * each signed by {@code dkim} where it is not null.
     */
    public static MessageComposer of(SendmailConfiguration configuration, DkimSigner dkim) {
        Properties properties = new Properties();
        properties.put("mail.mime.allowutf8", "true");
        return new MessageComposer(configuration, Session.getInstance(properties), dkim);
    }

    /** Composes the message and serializes it, ready for any connection: nothing about it can fail on the wire. */
    public PreparedMessage prepare(Message in) throws SendmailException {
        Dsn dsn = dsn(in);
        Map<String, String> headers = RouteHeaders.of(in);
        OutgoingMail mail = compose(in);
        try {
            RouteHeaders.apply(headers, mail.message());
        } catch (MessagingException e) {
            mail.closeSource();
            throw new InvalidMessageException("a header from the route could not be set: " + e.getMessage(), null, -1, false,
                    null, e);
        }
        return PreparedMessage.of(mail.withDsn(dsn), dkim);
    }

    /** The delivery status notifications asked for: each exchange header, else its option. */
    private Dsn dsn(Message in) throws SendmailException {
        Object notify = in.getHeader(SendmailConstants.DSN_NOTIFY);
        Object ret = in.getHeader(SendmailConstants.DSN_RET);
        Object envid = in.getHeader(SendmailConstants.DSN_ENVID);
        try {
            return Dsn.of(notify != null ? notify.toString() : configuration.getDsnNotify(),
                    ret != null ? ret.toString() : configuration.getDsnRet(),
                    envid != null ? envid.toString() : configuration.getDsnEnvid());
        } catch (IllegalArgumentException e) {
            throw Addresses.invalid("header or option " + e.getMessage());
        }
    }

    public OutgoingMail compose(Message in) throws SendmailException {
        Object body = in.getBody();
        if (body == null) {
            throw Addresses.invalid("the exchange has no body: send a String, a MimeMessage, or a complete RFC 5322 message "
                                    + "as byte[], InputStream or File");
        }
        Fields fields = Fields.of(in, configuration);
        try {
            String fileText = textOfFile(in, body);
            if (fileText != null) {
                body = fileText;
            }
            if (body instanceof CharSequence text) {
                return new OutgoingMail(textEnvelope(fields), text(in, fields, text.toString()), null);
            }
            if (attachments(in) != null) {
                throw Addresses.invalid("Camel attachments can only be added to a String body; this body is a "
                                        + body.getClass().getName() + ", a complete message: put the attachments in it");
            }
            if (body instanceof MimeMessage message) {
                return complete(fields, message, null);
            }
            AutoCloseable[] source = new AutoCloseable[1];
            InputStream raw = rawStream(in, body, source);
            try {
                if (raw instanceof SharedInputStream) {
                    // a byte[] or a file: parsed in place, its content never copied into memory
                    MimeMessage parsed = parse(raw);
                    requireMessageHeaders(parsed);
                    return complete(fields, parsed, source[0]);
                }
                // a stream of any size: its header section is read for the envelope, its body streams to the spool
                InputStream buffered = new BufferedInputStream(raw);
                requireHeaderFirst(buffered);
                ComposedMessage headers = new ComposedMessage(session, new InternetHeaders(buffered, true));
                requireMessageHeaders(headers);
                OutgoingMail mail = complete(fields, headers, source[0]);
                return new OutgoingMail(mail.envelope(), mail.message(), buffered, raw, null);
            } catch (SendmailException | RuntimeException e) {
                new OutgoingMail(null, null, source[0]).closeSource();
                throw e;
            }
        } catch (MessagingException | IOException e) {
            throw new InvalidMessageException("the message could not be built: " + e.getMessage(), null, -1, false, null, e);
        }
    }

    private Envelope textEnvelope(Fields fields) throws SendmailException {
        if (fields.sender == null) {
            throw Addresses.invalid(NO_SENDER);
        }
        return envelope(fields.sender, fields.recipients());
    }

    private MimeMessage text(Message in, Fields fields, String text) throws MessagingException, SendmailException {
        ComposedMessage message = new ComposedMessage(session);
        message.setIdDomain(idDomain(fields.sender));
        message.setFrom(fields.sender);
        setAddresses(message, "To", fields.to);
        setAddresses(message, "Cc", fields.cc);
        if (fields.replyTo != null) {
            message.setReplyTo(new Address[] { fields.replyTo });
        }
        if (fields.subject != null) {
            message.setSubject(fields.subject, "UTF-8");
        }
        // mixed( related( alternative(text, body), inline parts ), files ), each layer only where it has a second part
        Object content = textContent(text, configuration.getContentType());
        Object alternative = in.getHeader(SendmailConstants.ALTERNATIVE_BODY);
        String plain = alternative != null ? alternative.toString() : configuration.getAlternativeBody();
        if (plain != null) {
            MimeMultipart both = new MimeMultipart("alternative");
            both.addBodyPart(part(textContent(plain, "text/plain; charset=UTF-8")));
            both.addBodyPart(part(content));
            content = both;
        }
        List<MimeBodyPart> inline = new ArrayList<>();
        List<MimeBodyPart> files = new ArrayList<>();
        AttachmentMessage am = attachments(in);
        if (am != null) {
            for (Map.Entry<String, Attachment> entry : am.getAttachmentObjects().entrySet()) {
                MimeBodyPart part = attachment(entry.getKey(), entry.getValue());
                (Part.INLINE.equals(part.getDisposition()) ? inline : files).add(part);
            }
        }
        content = around("related", content, inline);
        content = around("mixed", content, files);
        if (content instanceof MimeMultipart multipart) {
            message.setContent(multipart);
        } else {
            message.setDataHandler((DataHandler) content);
        }
        message.setSentDate(new Date());
        message.saveChanges();
        return message;
    }

    /** The message's Camel attachments view when it has attachments, else null. */
    private static AttachmentMessage attachments(Message in) {
        AttachmentMessage am = in instanceof AttachmentMessage a ? a
                : in.getExchange() != null ? in.getExchange().getMessage(AttachmentMessage.class) : null;
        return am != null && am.hasAttachments() ? am : null;
    }

    /** The content first, then the parts, in a multipart of this subtype; the content alone where there are no parts. */
    private static Object around(String subtype, Object content, List<MimeBodyPart> parts) throws MessagingException {
        if (parts.isEmpty()) {
            return content;
        }
        MimeMultipart multipart = subtype.equals("related") ? related(content) : new MimeMultipart(subtype);
        multipart.addBodyPart(part(content));
        for (MimeBodyPart part : parts) {
            multipart.addBodyPart(part);
        }
        return multipart;
    }

    /** A multipart/related whose {@code type} parameter names its root's type, as RFC 2387 3.1 requires. */
    private static MimeMultipart related(Object root) throws MessagingException {
        String rootType = new ContentType(root instanceof MimeMultipart multipart ? multipart.getContentType()
                : ((DataHandler) root).getContentType()).getBaseType();
        return new MimeMultipart("related") {
            {
                ContentType type = new ContentType(contentType);
                type.setParameter("type", rootType);
                contentType = type.toString();
            }
        };
    }

    /** A body part holding a text (a DataHandler) or a multipart. */
    private static MimeBodyPart part(Object content) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        if (content instanceof MimeMultipart multipart) {
            part.setContent(multipart);
        } else {
            part.setDataHandler((DataHandler) content);
        }
        return part;
    }

    private static DataHandler textContent(String text, String contentType) throws ParseException {
        ContentType type = new ContentType(contentType);
        String charset = type.getParameter("charset");
        if (charset == null) {
            charset = StandardCharsets.UTF_8.name();
            type.setParameter("charset", charset);
        }
        return new DataHandler(new ByteArrayDataSource(text.getBytes(Charset.forName(charset)), type.toString()));
    }

    /**
     * A Camel attachment as a part: inline (in multipart/related, for the body's {@code cid:} references) where it has a
     * Content-ID, or is an image and {@code inlineImages=true} (then its Content-ID is its name); a file otherwise.
     */
    private MimeBodyPart attachment(String name, Attachment attachment) throws MessagingException, SendmailException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(attachment.getDataHandler());
        part.setFileName(Addresses.checkNoLineBreak("attachment name", name));
        for (String header : attachment.getHeaderNames()) {
            for (String value : attachment.getHeaderAsList(header)) {
                part.addHeader(Addresses.checkNoLineBreak("attachment header " + header, header),
                        Addresses.checkNoLineBreak("attachment header " + header, value));
            }
        }
        String type = attachment.getDataHandler().getContentType();
        if (part.getContentID() == null && configuration.isInlineImages() && type != null
            && type.toLowerCase(java.util.Locale.ROOT).startsWith("image/")) {
            part.setContentID("<" + name + ">");
        }
        part.setDisposition(part.getContentID() != null ? Part.INLINE : Part.ATTACHMENT);
        return part;
    }

    /**
     * A complete message (Twisted's {@code msg}, {@code sendmail -t}): the envelope comes from the options and exchange
     * headers when they name it, else from the message's own headers, which are kept; only missing ones are filled in.
     */
    private OutgoingMail complete(Fields fields, MimeMessage message, AutoCloseable source)
            throws MessagingException, SendmailException {
        InternetAddress sender = fields.sender;
        if (sender == null) {
            sender = Addresses.parseOne("From header of the message", unfolded(message, "From"));
            if (sender == null) {
                throw Addresses.invalid(NO_SENDER + ", or give the message a From header");
            }
        } else if (message.getHeader("From") == null) {
            message.setFrom(sender);
        }
        List<InternetAddress> recipients;
        if (fields.namesRecipients()) {
            recipients = fields.recipients();
            if (message.getHeader("To") == null && message.getHeader("Cc") == null) {
                setAddresses(message, "To", fields.to);
                setAddresses(message, "Cc", fields.cc);
            } else {
                warnWhereTheEnvelopeDiffers(message, recipients);
            }
        } else {
            recipients = new ArrayList<>();
            for (String header : new String[] { "To", "Cc", "Bcc" }) {
                recipients.addAll(Addresses.parseList(header + " header of the message", unfolded(message, header)));
            }
        }
        if (fields.replyTo != null && message.getHeader("Reply-To") == null) {
            message.setReplyTo(new Address[] { fields.replyTo });
        }
        if (fields.subject != null && message.getHeader("Subject") == null) {
            message.setSubject(fields.subject, "UTF-8");
        }
        if (message.getHeader("Date") == null) {
            message.setSentDate(new Date());
        }
        if (message instanceof ComposedMessage composed) {
            composed.setIdDomain(idDomain(sender));
            composed.ensureMessageId();
        }
        return new OutgoingMail(envelope(sender, recipients), message, source);
    }

    /**
     * The options or exchange headers name the recipients of a complete message that names its own: the envelope wins
     * (as with {@code sendmail} and any MTA), and its To and Cc are left as they are. Where the two differ that is often
     * a mistake of the route's (a file drop's {@code to=} meant as a default), so it is logged.
     */
    private static void warnWhereTheEnvelopeDiffers(MimeMessage message, List<InternetAddress> envelope) {
        try {
            java.util.Set<String> own = new java.util.TreeSet<>();
            for (String header : new String[] { "To", "Cc", "Bcc" }) {
                for (InternetAddress address : Addresses.parseList(header + " header of the message", unfolded(message, header))) {
                    own.add(address.getAddress().toLowerCase(java.util.Locale.ROOT));
                }
            }
            java.util.Set<String> given = new java.util.TreeSet<>();
            envelope.forEach(address -> given.add(address.getAddress().toLowerCase(java.util.Locale.ROOT)));
            if (!own.equals(given)) {
                LOG.warn("A complete message addressed to {} is sent to {}: the to, cc and bcc options (or the To, Cc and "
                         + "Bcc exchange headers) set the envelope; its own headers are left as they are", own, given);
            }
        } catch (SendmailException | MessagingException e) {
            // its own headers do not parse: the envelope from the options is what counts
        }
    }

    private static Envelope envelope(InternetAddress sender, List<InternetAddress> recipients) throws SendmailException {
        List<InternetAddress> distinct = Addresses.distinct(recipients);
        if (distinct.isEmpty()) {
            throw Addresses.invalid(NO_RECIPIENTS);
        }
        return new Envelope(sender, distinct);
    }

    private MimeMessage parse(InputStream raw) throws MessagingException, IOException, SendmailException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw);
        requireHeaderFirst(in);
        return new ComposedMessage(session, in);
    }

    /** A raw body must start with a header field: text without headers would lose its first lines to the parser. */
    private static void requireHeaderFirst(InputStream in) throws IOException, SendmailException {
        in.mark(1000);
        byte[] head = in.readNBytes(998);
        in.reset();
        int end = 0;
        while (end < head.length && head[end] != '\n' && head[end] != '\r') {
            end++;
        }
        String first = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        if (!first.matches("[!-9;-~]+:.*")) {
            throw Addresses.invalid("the body is not an RFC 5322 message: its first line is not a header field: '"
                                    + (first.length() > 80 ? first.substring(0, 80) + "..." : first)
                                    + "'. Send plain text as a String, or add the headers");
        }
    }

    /** Headers of which a complete message has at least one; text whose first lines look like headers has none. */
    private static final String[] MESSAGE_HEADERS = { "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date",
            "Message-ID", "MIME-Version", "Received", "Return-Path", "In-Reply-To", "References" };

    /**
     * A raw body is sent as the message it says it is only if its header section has a message's headers: text such as
     * "Note: revenue is up 5%" then "Costs: flat" must never become two mail headers and a shorter body.
     */
    private static void requireMessageHeaders(MimeMessage message) throws MessagingException, SendmailException {
        for (String name : MESSAGE_HEADERS) {
            if (message.getHeader(name) != null) {
                return;
            }
        }
        StringBuilder names = new StringBuilder();
        for (var headers = message.getAllHeaders(); headers.hasMoreElements() && names.length() < 80;) {
            names.append(names.length() == 0 ? "" : ", ").append(headers.nextElement().getName());
        }
        throw Addresses.invalid("the body is not an RFC 5322 message: its header section (" + names + ") has none of "
                                + "From, To, Subject, Date, Message-ID or MIME-Version. Send text as a String (or a "
                                + "file whose name does not end in .eml), or add the headers");
    }

    /**
     * A file body is a complete message only where its name ends in .eml or its content type is message/rfc822 (the
     * header Content-Type, or CamelFileContentType as a file consumer sets it); any other file is the text of a new
     * message, decoded in the charset of contentType.
     *
     * @return the text of such a file, or null for a message file or another body
     */
    private String textOfFile(Message in, Object body) throws SendmailException, IOException {
        File file = body instanceof File f ? f
                : body instanceof WrappedFile<?> wrapped && wrapped.getFile() instanceof File f ? f : null;
        if (file == null && !(body instanceof WrappedFile<?>)) {
            return null;
        }
        String name = file != null ? file.getName() : in.getHeader(Exchange.FILE_NAME, "", String.class);
        String type = in.getHeader("Content-Type", in.getHeader(Exchange.FILE_CONTENT_TYPE), String.class);
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".eml")
            || type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("message/rfc822")) {
            return null;
        }
        Charset charset = charsetOf(configuration.getContentType());
        byte[] bytes = file != null ? java.nio.file.Files.readAllBytes(file.toPath()) : in.getBody(byte[].class);
        try {
            return charset.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw Addresses.invalid("the file " + name + " is sent as the text of a message, and it is not " + charset
                                    + " text: name a complete message .eml, or send the file as an attachment");
        }
    }

    private static Charset charsetOf(String contentType) {
        try {
            String charset = new ContentType(contentType).getParameter("charset");
            return charset != null ? Charset.forName(MimeUtility.javaCharset(charset)) : StandardCharsets.UTF_8;
        } catch (ParseException | IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private static InputStream rawStream(Message in, Object body, AutoCloseable[] source)
            throws IOException, SendmailException {
        if (body instanceof byte[] bytes) {
            return new SharedByteArrayInputStream(bytes);
        }
        if (body instanceof InputStream stream) {
            return stream;
        }
        File file = body instanceof File f ? f : null;
        if (body instanceof WrappedFile<?> wrapped) {
            if (wrapped.getFile() instanceof File f) {
                file = f;
            } else {
                InputStream stream = in.getBody(InputStream.class);
                if (stream != null) {
                    return stream;
                }
            }
        }
        if (file != null) {
            SharedFileInputStream shared = new SharedFileInputStream(file);
            source[0] = shared;
            return shared;
        }
        throw Addresses.invalid("a body of type " + body.getClass().getName() + " cannot be sent: send a String, a "
                                + "jakarta.mail.internet.MimeMessage, or a complete RFC 5322 message as byte[], "
                                + "InputStream or File");
    }

    private static void setAddresses(MimeMessage message, String header, List<InternetAddress> addresses)
            throws MessagingException {
        if (!addresses.isEmpty()) {
            message.setHeader(header, InternetAddress.toString(addresses.toArray(new Address[0]), header.length() + 2));
        }
    }

    private static String unfolded(MimeMessage message, String header) throws MessagingException {
        String value = message.getHeader(header, ",");
        return value == null ? null : MimeUtility.unfold(value);
    }

    private String idDomain(InternetAddress sender) {
        if (configuration.getSenderDomainName() != null) {
            return configuration.getSenderDomainName();
        }
        String address = sender.getAddress();
        int at = address.lastIndexOf('@');
        return at >= 0 && at < address.length() - 1 ? address.substring(at + 1) : "localhost";
    }

    /** The address fields of one message: each an exchange header when present, else the endpoint option. */
    private record Fields(InternetAddress sender, List<InternetAddress> to, List<InternetAddress> cc,
            List<InternetAddress> bcc, InternetAddress replyTo, String subject, boolean namesRecipients) {

        static Fields of(Message in, SendmailConfiguration c) throws SendmailException {
            Object to = value(in, SendmailConstants.TO, c.getTo());
            Object cc = value(in, SendmailConstants.CC, c.getCc());
            Object bcc = value(in, SendmailConstants.BCC, c.getBcc());
            boolean named = to != null || cc != null || bcc != null;
            Object subject = value(in, SendmailConstants.SUBJECT, c.getSubject());
            return new Fields(
                    Addresses.parseOne(SendmailConstants.FROM, value(in, SendmailConstants.FROM, c.getFrom())),
                    Addresses.parseList(SendmailConstants.TO, to),
                    Addresses.parseList(SendmailConstants.CC, cc),
                    Addresses.parseList(SendmailConstants.BCC, bcc),
                    Addresses.parseOne(SendmailConstants.REPLY_TO, value(in, SendmailConstants.REPLY_TO, c.getReplyTo())),
                    subject == null ? null : Addresses.checkNoLineBreak(SendmailConstants.SUBJECT, subject.toString()),
                    named);
        }

        List<InternetAddress> recipients() {
            List<InternetAddress> all = new ArrayList<>(to);
            all.addAll(cc);
            all.addAll(bcc);
            return all;
        }

        private static Object value(Message in, String header, Object option) {
            Object value = in.getHeader(header);
            return value != null ? value : option;
        }
    }
}
