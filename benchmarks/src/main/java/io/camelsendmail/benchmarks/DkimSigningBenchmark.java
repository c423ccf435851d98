package io.camelsendmail.benchmarks;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.Properties;
import java.util.Random;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import io.camelsendmail.SendmailConfiguration;
import io.camelsendmail.message.DkimSigner;
import io.camelsendmail.message.MessageComposer;
import io.camelsendmail.message.PreparedMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.simplejavamail.utils.mail.dkim.DkimMessage;

/**
 * DKIM signing of one message, the component's way (over the bytes as they are spooled) and Simple Java Mail's
 * utils-mail-dkim (a DkimMessage written out): the heap each allocates per message, and the time, side by side in one
 * run. The message is a short text with an attachment of the given sizes.
 */
public final class DkimSigningBenchmark {

    public static void main(String[] args) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        Session session = Session.getInstance(new Properties());
        DkimSigner ours = new DkimSigner("example.com", "bench", rsa.getPrivate(), "relaxed/relaxed", null);
        SendmailConfiguration configuration = new SendmailConfiguration();
        MessageComposer composer = MessageComposer.of(configuration, ours);
        MessageComposer unsigned = MessageComposer.of(configuration, null);
        DefaultCamelContext camel = new DefaultCamelContext();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        System.out.printf("%-12s %-28s %14s %10s%n", "attachment", "signing", "allocated MB", "ms");
        for (int size : new int[] { 1_000, 1_000_000, 20_000_000 }) {
            int rounds = size > 1_000_000 ? 3 : 20;
            MimeMessage message = message(session, size);
            for (int round = 0; round <= rounds; round++) {
                boolean report = round == rounds;
                long[] none = measure(threads, () -> {
                    DefaultMessage in = new DefaultMessage(camel);
                    in.setBody(message);
                    try (PreparedMessage prepared = unsigned.prepare(in)) {
                        prepared.writeTo(OutputStream.nullOutputStream());
                    }
                });
                long[] component = measure(threads, () -> {
                    DefaultMessage in = new DefaultMessage(camel);
                    in.setBody(message);
                    try (PreparedMessage prepared = composer.prepare(in)) {
                        prepared.writeTo(OutputStream.nullOutputStream());
                    }
                });
                long[] library = measure(threads, () -> {
                    org.simplejavamail.utils.mail.dkim.DkimSigner signer = new org.simplejavamail.utils.mail.dkim.DkimSigner(
                            "example.com", "bench", (RSAPrivateKey) rsa.getPrivate());
                    signer.setCheckDomainKey(false);
                    signer.setHeaderCanonicalization(org.simplejavamail.utils.mail.dkim.Canonicalization.RELAXED);
                    signer.setBodyCanonicalization(org.simplejavamail.utils.mail.dkim.Canonicalization.RELAXED);
                    new DkimMessage(message, signer).writeTo(OutputStream.nullOutputStream());
                });
                if (report) {
                    print(size, "component, not signed", none);
                    print(size, "component, DKIM (ours)", component);
                    print(size, "utils-mail-dkim 3.2.2", library);
                }
            }
        }
        camel.close();
    }

    private interface Run {
        void run() throws Exception;
    }

    private static long[] measure(com.sun.management.ThreadMXBean threads, Run run) throws Exception {
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        long start = System.nanoTime();
        run.run();
        return new long[] { threads.getThreadAllocatedBytes(id) - before, System.nanoTime() - start };
    }

    private static void print(int size, String what, long[] measured) {
        System.out.printf("%-12s %-28s %14.1f %10.1f%n", size / 1000 + " KB", what, measured[0] / 1e6, measured[1] / 1e6);
    }

    private static MimeMessage message(Session session, int attachmentBytes) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("alice@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.com"));
        message.setSubject("statement");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Your statement is attached.\n", "UTF-8");
        byte[] data = new byte[attachmentBytes];
        new Random(1).nextBytes(data);
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/pdf")));
        file.setFileName("statement.pdf");
        message.setContent(new MimeMultipart(text, file));
        message.saveChanges();
        return message;
    }
}
