package io.camelsendmail.examples;

import java.util.HashSet;
import java.util.Set;

import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

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
 * receives (recipient, sender, subject) so the mail can be seen arriving.
 */
public final class EmbeddedSmtpServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSmtpServer.class);

    private final GreenMail greenMail;
    private final Set<String> logged = new HashSet<>();
    private Thread watcher;

    public EmbeddedSmtpServer() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        // started now, so that its port is known when the routes are built
        greenMail.start();
    }

    public int port() {
        return greenMail.getSmtp().getPort();
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
                    }
                }
            }
        } catch (Exception e) {
            LOG.debug("Could not list received mail", e);
        }
    }
}
