package io.camelsendmail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.activation.DataHandler;
import jakarta.mail.util.ByteArrayDataSource;

import io.camelsendmail.support.DkimVerifiers;
import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.apache.camel.Exchange;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DKIM signatures, checked on what the server received by verifiers that are not ours: Apache James's jDKIM (RSA) and
 * dkimpy (RSA and Ed25519), each given the public key record instead of DNS. A changed byte makes both fail.
 */
class DkimTest {

    private static final String ENDPOINT = "?from=alice@example.com&to=bob@example.com&dkimDomain=example.com"
                                           + "&dkimSelector=mail2026";

    private static KeyPair rsa;
    private static KeyPair ed25519;
    private static boolean dkimpy;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        dkimpy = DkimVerifiers.dkimpyInstalled();
    }

    private Path pem(KeyPair pair) throws Exception {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded());
        return Files.writeString(dir.resolve("dkim.pem"), "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void htmlMailWithOneClickUnsubscribeIsSignedWithRsaOverWhatTheServerReceived() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ENDPOINT
                                                    + "&subject=Your statement&contentType=text/html; charset=UTF-8"
                                                    + "&dkimPrivateKeyFile=" + pem(rsa))) {
            Exchange exchange = route.context().getEndpoint("direct:send").createExchange();
            AttachmentMessage in = exchange.getIn(AttachmentMessage.class);
            in.setBody("<html><body><p>Grüße</p><img src=\"cid:logo\"></body></html>");
            in.setHeader(SendmailConstants.ALTERNATIVE_BODY, "Grüße");
            in.setHeader(SendmailConstants.HEADER_PREFIX + "List-Unsubscribe", "<https://example.com/u/42>");
            in.setHeader(SendmailConstants.HEADER_PREFIX + "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            DefaultAttachment logo = new DefaultAttachment(new DataHandler(new ByteArrayDataSource(new byte[] { 1, 2, 3 }, "image/png")));
            logo.addHeader("Content-ID", "<logo>");
            in.addAttachmentObject("logo.png", logo);
            Exchange result = route.context().createProducerTemplate().send("direct:send", exchange);
            assertThat(result.getException()).isNull();

            byte[] received = server.messages().get(0).getBytes(StandardCharsets.UTF_8);
            String text = new String(received, StandardCharsets.UTF_8);
            assertThat(text).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mail2026;");
            assertThat(text.split("DKIM-Signature:", -1)).hasSize(2);
            assertThat(signedHeaders(text)).startsWith("from:").contains("subject", "date", "message-id", "to",
                    "mime-version", "content-type", "list-unsubscribe:list-unsubscribe-post");
            String record = DkimVerifiers.record(rsa.getPublic());
            assertThat(DkimVerifiers.jdkim(received, record)).isNull();
            if (dkimpy) {
                assertThat(DkimVerifiers.dkimpy(received, record)).isEqualTo("pass");
            }

            // a verifier that cannot fail proves nothing: one changed letter in the body, one in a signed header
            byte[] body = text.replace("Gr=C3=BC", "Gr=C3=BD").getBytes(StandardCharsets.UTF_8);
            byte[] subject = text.replace("Subject: Your statement", "Subject: Your Statement").getBytes(StandardCharsets.UTF_8);
            assertThat(body).isNotEqualTo(received);
            assertThat(subject).isNotEqualTo(received);
            assertThat(DkimVerifiers.jdkim(body, record)).isNotNull();
            assertThat(DkimVerifiers.jdkim(subject, record)).isNotNull();
            if (dkimpy) {
                assertThat(DkimVerifiers.dkimpy(body, record)).startsWith("fail");
                assertThat(DkimVerifiers.dkimpy(subject, record)).startsWith("fail");
            }
        }
    }

    /**
     * A raw message streamed from an InputStream, with bare LF line ends, runs of spaces and tabs, trailing whitespace
     * and empty lines at the end, larger than the in-memory spool: the signature is over the bytes as sent (CRLF).
     */
    @ParameterizedTest
    @ValueSource(strings = { "relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple" })
    void aStreamedMessageOfAnySizeIsSignedInEachCanonicalization(String canonicalization) throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ENDPOINT
                                                    + "&dkimPrivateKeyFile=" + pem(rsa)
                                                    + "&dkimCanonicalization=" + canonicalization)) {
            assertThat(route.send(new ByteArrayInputStream(spaced(1_500_000))).getException()).isNull();
            assertThat(route.send(new ByteArrayInputStream(spaced(0))).getException()).isNull();

            String record = DkimVerifiers.record(rsa.getPublic());
            String large = server.messages().get(0);
            assertThat(large.length()).isGreaterThan(1_500_000);
            assertThat(large).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=" + canonicalization + ";");
            assertThat(DkimVerifiers.jdkim(large.getBytes(StandardCharsets.UTF_8), record)).isNull();
            if (dkimpy) {
                assertThat(DkimVerifiers.dkimpy(large.getBytes(StandardCharsets.UTF_8), record)).isEqualTo("pass");
            }

            // an empty body hashes as nothing when relaxed, as one CRLF when simple (RFC 6376 3.4.3, 3.4.4): the SHA-256
            // of each is a known constant. jDKIM 0.3 keeps RFC 4871's rule (a CRLF for relaxed too), so dkimpy, which
            // follows RFC 6376 as OpenDKIM does, checks that case.
            String empty = server.messages().get(1);
            boolean relaxedBody = canonicalization.endsWith("/relaxed");
            assertThat(empty).contains("bh=" + (relaxedBody ? "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" : "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY="));
            if (!relaxedBody) {
                assertThat(DkimVerifiers.jdkim(empty.getBytes(StandardCharsets.UTF_8), record)).isNull();
            }
            if (dkimpy) {
                assertThat(DkimVerifiers.dkimpy(empty.getBytes(StandardCharsets.UTF_8), record)).isEqualTo("pass");
            }
        }
    }

    @Test
    void anEd25519KeyBeanSignsEd25519Sha256() throws Exception {
        assumeTrue(dkimpy, "dkimpy (Debian packages python3-dkim and python3-nacl, which .ci/run installs) verifies ed25519-sha256");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + ENDPOINT
                                                    + "&dkimPrivateKey=#dkimKey", Map.of("dkimKey", ed25519.getPrivate()))) {
            assertThat(route.send("Hello", Map.of("Subject", "signed")).getException()).isNull();
            assertThat(route.send(new ByteArrayInputStream(spaced(1_500_000))).getException()).isNull();

            String record = DkimVerifiers.record(ed25519.getPublic());
            for (String message : server.messages()) {
                assertThat(message).startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;");
                assertThat(DkimVerifiers.dkimpy(message.getBytes(StandardCharsets.UTF_8), record)).isEqualTo("pass");
                String changed = message.replace("Hello", "Hellp").replace("word", "ward");
                assertThat(changed).isNotEqualTo(message);
                assertThat(DkimVerifiers.dkimpy(changed.getBytes(StandardCharsets.UTF_8), record)).startsWith("fail");
            }
        }
    }

    @Test
    void incompleteOrUnusableKeysAreRefusedAtStartNamingTheProblem() throws Exception {
        String base = "sendmail:127.0.0.1:2525?from=alice@example.com&to=bob@example.com";
        assertThatThrownBy(() -> SendmailRoute.to(base + "&dkimDomain=example.com&dkimPrivateKeyFile=" + pem(rsa)))
                .isInstanceOf(FailedToCreateRouteException.class).rootCause()
                .hasMessageContaining("dkimDomain, dkimSelector, and dkimPrivateKeyFile or dkimPrivateKey together");

        Path pkcs1 = Files.writeString(dir.resolve("rsa1.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SendmailRoute.to(base + "&dkimDomain=example.com&dkimSelector=s1&dkimPrivateKeyFile=" + pkcs1))
                .rootCause().hasMessageContaining("is PKCS#1").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");

        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(512);
        assertThatThrownBy(() -> SendmailRoute.to(base + "&dkimDomain=example.com&dkimSelector=s1&dkimPrivateKey=#key",
                Map.of("key", small.generateKeyPair().getPrivate())))
                .rootCause().hasMessageContaining("RSA of 512 bits").hasMessageContaining("RFC 8301");

        assertThatThrownBy(() -> SendmailRoute.to(base + "&dkimDomain=example.com&dkimSelector=s1&dkimPrivateKey=#key",
                Map.of("key", KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate())))
                .rootCause().hasMessageContaining("the DKIM private key is EC");

        assertThatThrownBy(() -> SendmailRoute.to(base + "&dkimDomain=example.com&dkimSelector=s1&dkimPrivateKey=#key"
                                                  + "&dkimCanonicalization=loose", Map.of("key", ed25519.getPrivate())))
                .rootCause().hasMessageContaining("dkimCanonicalization must be header/body");
    }

    /** A raw message whose body has bare LF line ends, runs of whitespace, and empty lines at its end. */
    private static byte[] spaced(int bodyBytes) {
        StringBuilder m = new StringBuilder("From: Alice <alice@example.com>\nTo: bob@example.com\n"
                                            + "Subject:   runs   of \t spaces  \nMessage-ID: <spaced-" + bodyBytes
                                            + "@example.com>\nDate: Sun, 29 Nov 2026 10:00:00 +0000\n\n");
        int line = 0;
        while (m.length() < bodyBytes) {
            m.append(line++ % 7 == 0 ? "\n" : " word  \t word\t \t  " + line + "   \n");
        }
        if (bodyBytes > 0) {
            m.append("\n\n \n\t\n");
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String signedHeaders(String message) {
        Matcher h = Pattern.compile("h=([^;]+);").matcher(message);
        assertThat(h.find()).isTrue();
        return h.group(1).replaceAll("\\s", "");
    }
}
