package io.camelsendmail.examples;

import java.util.HashSet;
import java.util.Set;

import java.util.Date;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GreenMail on loopback, for a newcomer without a mail server: it accepts everything, and logs each message it
 * receives (recipient, sender, subject) so the mail can be seen arriving. Like a relay that accepts a message and only
 * later finds that the next server refuses its recipient, it bounces what it received for {@link #GONE}: an RFC 3464
 * report, as Postfix writes one, into the sender's mailbox, which it serves over IMAP for the bounce route.
 */
public final class EmbeddedSmtpServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSmtpServer.class);

    /** The address the embedded server takes mail for, and then bounces. */
    public static final String GONE = "former-customer@example.org";
    /** The examples' sender, whose mailbox the bounces go to; its IMAP password. */
    public static final String SENDER = "examples@example.com";
    public static final String SENDER_PASSWORD = "demo";

    private final GreenMail greenMail;
    private final Set<String> logged = new HashSet<>();
    private Thread watcher;

    public EmbeddedSmtpServer() {
        greenMail = new GreenMail(new ServerSetup[] { new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP) });
        // started now, so that its port is known when the routes are built
        greenMail.start();
        greenMail.setUser(SENDER, SENDER, SENDER_PASSWORD);
    }

    public int port() {
        return greenMail.getSmtp().getPort();
    }

    public int imapPort() {
        return greenMail.getImap().getPort();
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    @Override
    protected void doStart() {
        watcher = new Thread(this::watch, "embedded-smtp-log");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    protected void doStop() {
        if (watcher != null) {
            watcher.interrupt();
        }
        logNew();
        greenMail.stop();
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            logNew();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void logNew() {
        try {
            for (GreenMailUser user : greenMail.getUserManager().listUser()) {
                MailFolder inbox = greenMail.getManagers().getImapHostManager().getInbox(user);
                for (StoredMessage stored : inbox.getMessages()) {
                    if (logged.add(user.getEmail() + "/" + stored.getUid())) {
                        MimeMessage m = stored.getMimeMessage();
                        LOG.info("Embedded SMTP server received for {}: from {}, subject '{}'", user.getEmail(),
                                m.getFrom() == null ? "?" : InternetAddress.toString(m.getFrom()), m.getSubject());
                        if (user.getEmail().equalsIgnoreCase(GONE)) {
                            bounce(m);
                        }
                    }
                }
            }
        } catch (Exception e) {
            LOG.debug("Could not list received mail", e);
        }
    }

    /** Writes the report a relay writes when the next server refuses the recipient, into the sender's mailbox. */
    private void bounce(MimeMessage received) throws Exception {
        String[] returnPath = received.getHeader("Return-Path");
        String sender = returnPath != null ? returnPath[0].replaceAll("[<>\\s]", "")
                : ((InternetAddress) received.getFrom()[0]).getAddress();
        if (sender.isEmpty()) {
            return;
        }
        String diagnostic = "550 5.1.1 <" + GONE + ">: Recipient address rejected: User unknown in virtual mailbox table";
        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()));
        report.setFrom(new InternetAddress("MAILER-DAEMON@relay.example.net", "Mail Delivery System"));
        report.setRecipients(jakarta.mail.Message.RecipientType.TO, sender);
        report.setSubject("Undelivered Mail Returned to Sender");
        report.setHeader("Auto-Submitted", "auto-replied");
        MimeMultipart parts = new MimeMultipart("report; report-type=delivery-status");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is the mail system at host relay.example.net.\n\nI'm sorry to have to inform you that your "
                     + "message could not\nbe delivered to one or more recipients.\n\n<" + GONE + ">: host "
                     + "mx.example.org[192.0.2.10] said: " + diagnostic + " (in reply to RCPT TO command)\n", "us-ascii");
        parts.addBodyPart(text);
        MimeBodyPart status = new MimeBodyPart();
        status.setDataHandler(new DataHandler(new ByteArrayDataSource(String.join("\r\n",
                "Reporting-MTA: dns; relay.example.net", "Arrival-Date: " + new MailDateFormat().format(new Date()), "",
                "Final-Recipient: rfc822; " + GONE, "Action: failed", "Status: 5.1.1", "Remote-MTA: dns; mx.example.org",
                "Diagnostic-Code: smtp; " + diagnostic, ""), "message/delivery-status")));
        parts.addBodyPart(status);
        MimeBodyPart headers = new MimeBodyPart();
        StringBuilder returned = new StringBuilder();
        for (String line : java.util.Collections.list(received.getAllHeaderLines())) {
            returned.append(line).append("\r\n");
        }
        headers.setDataHandler(new DataHandler(new ByteArrayDataSource(returned.toString(), "text/rfc822-headers")));
        parts.addBodyPart(headers);
        report.setContent(parts);
        report.saveChanges();
        GreenMailUser user = greenMail.getUserManager().getUserByEmail(sender);
        if (user == null) {
            user = greenMail.setUser(sender, sender, SENDER_PASSWORD);
        }
        LOG.info("Embedded SMTP server: {} does not exist beyond this relay; bouncing {} to {}", GONE,
                received.getMessageID(), sender);
        user.deliver(report);
    }
}
