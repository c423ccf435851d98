package io.camelsendmail.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * DKIM signatures (RFC 6376), rsa-sha256 or ed25519-sha256 (RFC 8463), computed over the bytes that are sent: the
 * header section and the body as they go to the spool, after line ends are made canonical, in one pass and bounded
 * memory, so that a streamed message of any size is signed as well as a composed one.
 * <p>
 * The signature header goes first in the message. Each header named in the list of headers to sign is signed in every
 * instance the message has, from the bottom up (RFC 6376 5.4.2); a header the message lacks is not listed.
 */
public final class DkimSigner {

    /** RFC 6376 5.4.1's recommended headers, and RFC 8058's List-Unsubscribe-Post, which must be signed. */
    public static final List<String> DEFAULT_HEADERS = List.of("from", "sender", "reply-to", "subject", "date",
            "message-id", "to", "cc", "mime-version", "content-type", "content-transfer-encoding", "content-id",
            "content-description", "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc",
            "resent-message-id", "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe",
            "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner", "list-archive");

    /** A header section larger than this is refused rather than held for signing. */
    static final int HEADER_SECTION_MAX = 1 << 20;

    private static final Pattern DOMAIN = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    private static final Pattern SELECTOR = Pattern.compile("(?i)[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");

    private final String domain;
    private final String selector;
    private final PrivateKey key;
    private final boolean ed25519;
    private final boolean relaxedHeaders;
    private final boolean relaxedBody;
    private final List<String> headers;

    /**
     * @param canonicalization header/body, each {@code simple} or {@code relaxed}; one word applies to the header and
     *                         the body is simple, as RFC 6376 3.5 reads {@code c=}
     * @param headers          the header names to sign, or null for {@link #DEFAULT_HEADERS}; From is always signed
     * @throws IllegalArgumentException naming what is wrong
     */
    public DkimSigner(String domain, String selector, PrivateKey key, String canonicalization, List<String> headers) {
        if (domain == null || !DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("option dkimDomain must be a domain name such as example.com, got '" + domain + "'");
        }
        if (selector == null || !SELECTOR.matcher(selector).matches()) {
            throw new IllegalArgumentException("option dkimSelector must be a DNS label such as mail2026, got '" + selector + "'");
        }
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.selector = selector;
        if (key == null) {
            throw new IllegalArgumentException("DKIM signing needs a private key: the option dkimPrivateKeyFile or dkimPrivateKey");
        }
        if ("RSA".equalsIgnoreCase(key.getAlgorithm())) {
            if (key instanceof RSAPrivateKey rsa && rsa.getModulus().bitLength() < 1024) {
                throw new IllegalArgumentException("the DKIM private key is RSA of " + rsa.getModulus().bitLength()
                                                   + " bits; verifiers refuse fewer than 1024 (RFC 8301): use 2048");
            }
            this.key = key;
            this.ed25519 = false;
        } else if (isEd25519(key)) {
            this.key = key instanceof EdECPrivateKey ? key : asJdkEd25519(key);
            this.ed25519 = true;
        } else {
            throw new IllegalArgumentException("the DKIM private key is " + key.getAlgorithm()
                                               + "; DKIM signs with RSA (rsa-sha256) or Ed25519 (ed25519-sha256)");
        }
        String c = canonicalization == null ? "relaxed/relaxed" : canonicalization.trim().toLowerCase(Locale.ROOT);
        String[] parts = c.split("/", -1);
        if (parts.length > 2 || !isCanonicalization(parts[0]) || parts.length == 2 && !isCanonicalization(parts[1])) {
            throw new IllegalArgumentException("option dkimCanonicalization must be header/body, each simple or relaxed "
                                               + "(relaxed/relaxed by default), got '" + canonicalization + "'");
        }
        this.relaxedHeaders = parts[0].equals("relaxed");
        this.relaxedBody = parts.length == 2 && parts[1].equals("relaxed");
        List<String> names = new ArrayList<>();
        for (String name : headers == null ? DEFAULT_HEADERS : headers) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("option dkimHeaders names a header '" + name + "' that is not a header name");
            }
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        if (!names.contains("from")) {
            names.add(0, "from");
        }
        this.headers = List.copyOf(names);
        // a key the JDK cannot sign with fails at start, not with the first message
        try {
            newSignature();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the DKIM private key cannot sign: " + e.getMessage(), e);
        }
    }

    private static boolean isCanonicalization(String word) {
        return word.equals("simple") || word.equals("relaxed");
    }

    private static boolean isEd25519(PrivateKey key) {
        if (key instanceof EdECPrivateKey ed) {
            return "Ed25519".equalsIgnoreCase(ed.getParams().getName());
        }
        return "Ed25519".equalsIgnoreCase(key.getAlgorithm()) || "EdDSA".equalsIgnoreCase(key.getAlgorithm());
    }

    /** An Ed25519 key of another provider (BouncyCastle's, say), as the JDK's own. */
    private static PrivateKey asJdkEd25519(PrivateKey key) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the DKIM Ed25519 private key cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads an unencrypted PKCS#8 private key, RSA or Ed25519, in PEM ({@code -----BEGIN PRIVATE KEY-----}) or DER, as
     * {@code openssl genpkey} writes it.
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        String text = new String(content, StandardCharsets.US_ASCII);
        byte[] der;
        if (text.contains("-----BEGIN")) {
            if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
                throw new IllegalArgumentException("the DKIM key " + file + " is PKCS#1 (BEGIN RSA PRIVATE KEY); convert it "
                                                   + "to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName());
            }
            if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
                throw new IllegalArgumentException("the DKIM key " + file + " is encrypted; give it unencrypted "
                                                   + "(openssl pkcs8 -topk8 -nocrypt), readable by this application only");
            }
            int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = text.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("the DKIM key " + file + " has no -----BEGIN PRIVATE KEY----- block");
            }
            String base64 = text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
            try {
                der = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the DKIM key " + file + " is not valid PEM: " + e.getMessage(), e);
            }
        } else {
            der = content;
        }
        for (String algorithm : new String[] { "RSA", "Ed25519" }) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException("the DKIM key " + file + " is neither an RSA nor an Ed25519 PKCS#8 private key");
    }

    public String algorithm() {
        return ed25519 ? "ed25519-sha256" : "rsa-sha256";
    }

    private Signature newSignature() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(ed25519 ? "Ed25519" : "SHA256withRSA");
        signature.initSign(key);
        return signature;
    }

    /** A signing of one message: write its bytes (canonical CRLF line ends) to it, then ask for the header. */
    Signing start() {
        return new Signing();
    }

    /** Takes the message's bytes as they go to the spool. */
    final class Signing extends OutputStream {

        private final ByteArrayOutputStream headerSection = new ByteArrayOutputStream();
        /** How much of CRLF CRLF, the end of the header section, was just seen. */
        private int endMatched;
        private boolean inBody;
        private final BodyHash body = new BodyHash(relaxedBody);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int end = off + len;
            int i = off;
            while (!inBody && i < end) {
                byte c = b[i++];
                headerSection.write(c);
                endMatched = c == '\r' ? (endMatched == 2 ? 3 : 1) : c == '\n' && (endMatched == 1 || endMatched == 3) ? endMatched + 1 : 0;
                if (endMatched == 4) {
                    inBody = true;
                } else if (headerSection.size() > HEADER_SECTION_MAX) {
                    throw new IOException("the header section is over " + HEADER_SECTION_MAX + " bytes: too large to sign");
                }
            }
            if (i < end) {
                body.update(b, i, end - i);
            }
        }

        /** @return the DKIM-Signature header field, with its CRLF, to go first in the message */
        byte[] header() throws GeneralSecurityException {
            String bodyHash = Base64.getEncoder().encodeToString(body.finish());
            List<String> fields = fields(new String(headerSection.toByteArray(), StandardCharsets.ISO_8859_1));
            Map<String, List<String>> byName = new LinkedHashMap<>();
            for (String field : fields) {
                int colon = field.indexOf(':');
                if (colon > 0) {
                    byName.computeIfAbsent(field.substring(0, colon).trim().toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                            .add(field);
                }
            }
            List<String> signedNames = new ArrayList<>();
            StringBuilder signed = new StringBuilder();
            for (String name : headers) {
                List<String> instances = byName.getOrDefault(name, List.of());
                for (int k = instances.size() - 1; k >= 0; k--) {
                    signedNames.add(name);
                    signed.append(canonical(instances.get(k))).append("\r\n");
                }
            }
            String value = " v=1; a=" + algorithm() + "; c=" + (relaxedHeaders ? "relaxed" : "simple") + "/"
                           + (relaxedBody ? "relaxed" : "simple") + "; d=" + domain + "; s=" + selector + ";\r\n\tt="
                           + System.currentTimeMillis() / 1000 + "; h=" + fold(signedNames) + ";\r\n\tbh=" + bodyHash
                           + ";\r\n\tb=";
            String unsigned = "DKIM-Signature:" + value;
            signed.append(canonical(unsigned));
            byte[] data = signed.toString().getBytes(StandardCharsets.ISO_8859_1);
            Signature signature = newSignature();
            signature.update(ed25519 ? MessageDigest.getInstance("SHA-256").digest(data) : data);
            String b = Base64.getEncoder().encodeToString(signature.sign());
            StringBuilder field = new StringBuilder(unsigned);
            for (int at = 0; at < b.length(); at += 72) {
                field.append(at == 0 ? "" : "\r\n\t ").append(b, at, Math.min(b.length(), at + 72));
            }
            return field.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The header section's fields, each with its folding, without the CRLF that ends it. */
        private static List<String> fields(String section) {
            List<String> fields = new ArrayList<>();
            StringBuilder field = null;
            for (String line : section.split("\r\n", -1)) {
                if (line.isEmpty()) {
                    break;
                }
                if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && field != null) {
                    field.append("\r\n").append(line);
                } else {
                    if (field != null) {
                        fields.add(field.toString());
                    }
                    field = new StringBuilder(line);
                }
            }
            if (field != null) {
                fields.add(field.toString());
            }
            return fields;
        }

        /** A field as the header canonicalization has it (RFC 6376 3.4.1, 3.4.2), without a CRLF after it. */
        private String canonical(String field) {
            if (!relaxedHeaders) {
                return field;
            }
            int colon = field.indexOf(':');
            String name = field.substring(0, colon).replaceAll("[ \t]+$", "").toLowerCase(Locale.ROOT);
            String value = field.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").replaceAll("^ | $", "");
            return name + ":" + value;
        }
    }

    /** The h= tag's names, folded so that no line of the field grows past about 78 characters. */
    private static String fold(List<String> names) {
        StringBuilder h = new StringBuilder();
        int line = 12;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i) + (i < names.size() - 1 ? ":" : "");
            if (line + name.length() > 76) {
                h.append("\r\n\t ");
                line = 2;
            }
            h.append(name);
            line += name.length();
        }
        return h.toString();
    }

    /** The body hash (RFC 6376 3.7), fed in pieces of canonical CRLF text, with the body canonicalization on the way. */
    static final class BodyHash {

        private final boolean relaxed;
        private final MessageDigest digest;
        private final byte[] buffer = new byte[8192];
        private int buffered;
        /** Empty lines seen and not yet hashed: at the end of the body they are dropped. */
        private long emptyLines;
        private boolean lineHasContent;
        /** relaxed: whitespace seen and not yet hashed, a single space if more text follows on the line. */
        private boolean pendingSpace;
        /** simple: a CR at the start of a line, which is an empty line if LF follows. */
        private boolean crAtLineStart;
        private boolean anyContent;

        BodyHash(boolean relaxed) {
            this.relaxed = relaxed;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
            }
        }

        void update(byte[] b, int off, int len) {
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (relaxed) {
                    relaxed(b[i]);
                } else {
                    simple(b[i]);
                }
            }
        }

        private void relaxed(byte c) {
            if (c == ' ' || c == '\t') {
                pendingSpace = true;
            } else if (c == '\r') {
                // the line ends at the LF that follows (the bytes are canonical)
            } else if (c == '\n') {
                pendingSpace = false;
                if (lineHasContent) {
                    emit((byte) '\r');
                    emit((byte) '\n');
                    lineHasContent = false;
                } else {
                    emptyLines++;
                }
            } else {
                content();
                if (pendingSpace) {
                    emit((byte) ' ');
                    pendingSpace = false;
                }
                emit(c);
            }
        }

        private void simple(byte c) {
            if (!lineHasContent && !crAtLineStart && c == '\r') {
                crAtLineStart = true;
                return;
            }
            if (crAtLineStart) {
                crAtLineStart = false;
                if (c == '\n') {
                    emptyLines++;
                    return;
                }
                content();
                emit((byte) '\r');
            }
            if (c == '\n') {
                emit(c);
                lineHasContent = false;
            } else {
                content();
                emit(c);
            }
        }

        private void content() {
            if (!lineHasContent) {
                for (; emptyLines > 0; emptyLines--) {
                    emit((byte) '\r');
                    emit((byte) '\n');
                }
                lineHasContent = true;
                anyContent = true;
            }
        }

        byte[] finish() {
            if (lineHasContent) {
                // an unterminated last line (not possible after the spool's own line end)
                emit((byte) '\r');
                emit((byte) '\n');
            }
            if (!relaxed && !anyContent) {
                // simple: an empty body is a single CRLF
                emit((byte) '\r');
                emit((byte) '\n');
            }
            digest.update(buffer, 0, buffered);
            buffered = 0;
            return digest.digest();
        }

        private void emit(byte c) {
            if (buffered == buffer.length) {
                digest.update(buffer, 0, buffered);
                buffered = 0;
            }
            buffer[buffered++] = c;
        }
    }
}
