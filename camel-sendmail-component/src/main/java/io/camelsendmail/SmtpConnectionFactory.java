package io.camelsendmail;

import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLSocketFactory;

import jakarta.mail.Session;

/**
 * Opens connected, TLS-upgraded and authenticated {@link SmtpConnection}s to one server, with one endpoint's settings.
 */
final class SmtpConnectionFactory {

    private final Session session;
    private final Session messageSession;
    private final String host;
    private final int port;
    private final boolean implicitTls;
    private final TransportSecurity security;
    private final String username;
    private final String password;
    private final int timeout;

    SmtpConnectionFactory(SendmailConfiguration configuration, SSLSocketFactory tls, ScheduledExecutorService writeTimeouts) {
        this.session = Session.getInstance(sessionProperties(configuration, tls, writeTimeouts));
        // messages may carry UTF-8 addresses in their headers; they are only sent where the server offers SMTPUTF8
        Properties messageProperties = new Properties();
        messageProperties.put("mail.mime.allowutf8", "true");
        this.messageSession = Session.getInstance(messageProperties);
        this.host = configuration.getHost();
        this.port = configuration.effectivePort();
        this.implicitTls = configuration.isImplicitTls();
        this.security = new TransportSecurity(configuration);
        this.username = configuration.getUsername();
        this.password = configuration.getPassword();
        this.timeout = configuration.getTimeout();
    }

    SmtpConnection open() throws SendmailException {
        SmtpConnection connection = new SmtpConnection(session, host, port, implicitTls, security, timeout);
        connection.open(username, password);
        return connection;
    }

    /** The session new messages are built and parsed with. */
    Session messageSession() {
        return messageSession;
    }

    private static Properties sessionProperties(
            SendmailConfiguration configuration, SSLSocketFactory tls, ScheduledExecutorService writeTimeouts) {
        Properties p = new Properties();
        p.put("mail.smtp.connectiontimeout", String.valueOf(configuration.getConnectTimeout()));
        p.put("mail.smtp.timeout", String.valueOf(configuration.getTimeout()));
        p.put("mail.smtp.writetimeout", String.valueOf(configuration.getTimeout()));
        p.put("mail.smtp.executor.writetimeout", writeTimeouts);
        // STARTTLS whenever offered; TransportSecurity decides when it is required
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.ssl.socketFactory", tls);
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.auth.mechanisms", "PLAIN LOGIN DIGEST-MD5 NTLM");
        p.put("mail.smtp.quitwait", "true");
        if (configuration.getSenderDomainName() != null) {
            p.put("mail.smtp.localhost", configuration.getSenderDomainName());
        }
        return p;
    }
}
