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
    private final String host;
    private final int port;
    private final boolean implicitTls;
    private final TransportSecurity security;
    private final String username;
    private final String password;

    SmtpConnectionFactory(SendmailConfiguration configuration, SSLSocketFactory tls, ScheduledExecutorService writeTimeouts) {
        this.session = Session.getInstance(sessionProperties(configuration, tls, writeTimeouts));
        this.host = configuration.getHost();
        this.port = configuration.effectivePort();
        this.implicitTls = configuration.isImplicitTls();
        this.security = new TransportSecurity(configuration);
        this.username = configuration.getUsername();
        this.password = configuration.getPassword();
    }

    SmtpConnection open() throws SendmailException {
        SmtpConnection connection = new SmtpConnection(session, host, port, implicitTls, security);
        connection.open(username, password);
        return connection;
    }

    /** The mail session: also the one new messages are built with. */
    Session session() {
        return session;
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
        // non-ASCII addresses go out as UTF-8 when the server offers SMTPUTF8 (and are refused before MAIL FROM otherwise)
        p.put("mail.mime.allowutf8", "true");
        if (configuration.getSenderDomainName() != null) {
            p.put("mail.smtp.localhost", configuration.getSenderDomainName());
        }
        return p;
    }
}
