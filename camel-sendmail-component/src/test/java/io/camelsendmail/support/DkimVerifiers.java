package io.camelsendmail.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.exceptions.FailException;

/**
 * Two DKIM verifiers independent of the component, each given the public key record instead of DNS: Apache James's
 * jDKIM in this JVM (rsa-sha256), and dkimpy (Debian package {@code python3-dkim}, with {@code python3-nacl} for
 * ed25519-sha256), which {@code .ci/run} installs.
 */
public final class DkimVerifiers {

    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private DkimVerifiers() {
    }

    /** The DNS TXT record that publishes the key: the SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519. */
    public static String record(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (key.getAlgorithm().equals("RSA")) {
            return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(encoded);
        }
        return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    /** @return null where jDKIM verifies the message's signatures, else its reason */
    public static String jdkim(byte[] message, String record) throws IOException {
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) -> List.of(record));
        try (InputStream in = new ByteArrayInputStream(message)) {
            List<?> verified = verifier.verify(in);
            return verified == null || verified.isEmpty() ? "no signature verified" : null;
        } catch (FailException e) {
            return e.getMessage();
        }
    }

    /** Whether dkimpy is installed here. */
    public static boolean dkimpyInstalled() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import dkim, nacl").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** @return dkimpy's verdict: "pass", or "fail: " and its reason */
    public static String dkimpy(byte[] message, String record) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dkim-verify");
        try {
            Path script = dir.resolve("verify.py");
            try (InputStream in = DkimVerifiers.class.getResourceAsStream("/dkim-verify.py")) {
                Files.copy(in, script);
            }
            Path messageFile = Files.write(dir.resolve("message.eml"), message);
            Path recordFile = Files.writeString(dir.resolve("record.txt"), record);
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), messageFile.toString(), recordFile.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "fail: dkimpy did not finish";
            }
            return out;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
