package io.camelsendmail;

import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Send mail over SMTP: Twisted's {@code sendmail} as a Camel producer, with TLS enforcement, authentication and
 * per-recipient results.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "sendmail", title = "Sendmail", syntax = "sendmail:host:port",
             producerOnly = true, category = { Category.MAIL }, headersClass = SendmailConstants.class)
public class SendmailEndpoint extends DefaultEndpoint {

    @UriParam
    private SendmailConfiguration configuration;

    private ScheduledExecutorService writeTimeouts;
    private ExecutorService background;
    private MessageComposer composer;
    private SmtpSessions sessions;
    private MailProviderLookup mailProviders;

    public SendmailEndpoint(String uri, SendmailComponent component, SendmailConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() throws Exception {
        return new SendmailProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        throw new UnsupportedOperationException("the sendmail: endpoint only sends mail; it cannot be used in from()");
    }

    @Override
    public boolean isSingletonProducer() {
        return true;
    }

    public SendmailConfiguration getConfiguration() {
        return configuration;
    }

    /** The endpoint's options. */
    public void setConfiguration(SendmailConfiguration configuration) {
        this.configuration = configuration;
    }

    /**
     * Refuses a configuration that cannot work, naming the option: called when the endpoint is created, so a bad URI
     * fails before the route starts.
     */
    void validate() {
        SendmailConfiguration c = configuration;
        if (c.getHost() == null || c.getHost().isBlank()) {
            throw new IllegalArgumentException("sendmail: the SMTP host is missing: use sendmail:host[:port]");
        }
        if (!c.getHost().matches("[A-Za-z0-9.:_%-]+")) {
            throw new IllegalArgumentException("sendmail: the host '" + c.getHost() + "' is not a host name or IP address");
        }
        if (c.getPort() != null && (c.getPort() < 1 || c.getPort() > 65535)) {
            throw new IllegalArgumentException("sendmail: option port must be between 1 and 65535, got " + c.getPort());
        }
        if (c.getConnectTimeout() <= 0) {
            throw new IllegalArgumentException("sendmail: option connectTimeout must be a positive number of milliseconds, got "
                                               + c.getConnectTimeout());
        }
        if (c.getTimeout() <= 0) {
            throw new IllegalArgumentException("sendmail: option timeout must be a positive number of milliseconds, got "
                                               + c.getTimeout());
        }
        if (c.getMaxConnections() < 1) {
            throw new IllegalArgumentException("sendmail: option maxConnections must be at least 1, got " + c.getMaxConnections());
        }
        if (c.getMaxMessagesPerConnection() < 1) {
            throw new IllegalArgumentException("sendmail: option maxMessagesPerConnection must be at least 1, got "
                                               + c.getMaxMessagesPerConnection());
        }
        if (c.getIdleTimeout() <= 0) {
            throw new IllegalArgumentException("sendmail: option idleTimeout must be a positive number of milliseconds, got "
                                               + c.getIdleTimeout());
        }
        if ((c.getUsername() == null) != (c.getPassword() == null)) {
            throw new IllegalArgumentException("sendmail: options username and password must be set together");
        }
        if (c.isRequireAuthentication() && c.getUsername() == null) {
            throw new IllegalArgumentException("sendmail: option requireAuthentication=true needs the options username and password");
        }
        try {
            Addresses.parseOne("option from", c.getFrom());
            Addresses.parseList("option to", c.getTo());
            Addresses.parseList("option cc", c.getCc());
            Addresses.parseList("option bcc", c.getBcc());
            Addresses.parseOne("option replyTo", c.getReplyTo());
            Addresses.checkNoLineBreak("option subject", c.getSubject());
            Addresses.checkNoLineBreak("option contentType", c.getContentType());
        } catch (InvalidMessageException e) {
            throw new IllegalArgumentException("sendmail: " + e.getMessage(), e);
        }
        if (c.getSenderDomainName() != null && !c.getSenderDomainName().matches("[A-Za-z0-9.\\[\\]:_-]+")) {
            throw new IllegalArgumentException("sendmail: option senderDomainName '" + c.getSenderDomainName()
                                               + "' is not a domain name or address literal");
        }
        try {
            new ContentType(c.getContentType());
        } catch (ParseException | NullPointerException e) {
            throw new IllegalArgumentException("sendmail: option contentType '" + c.getContentType()
                                               + "' is not a MIME content type", e);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // again: the configuration may have been changed through its setters since the endpoint was created
        validate();
        writeTimeouts = getCamelContext().getExecutorServiceManager()
                .newScheduledThreadPool(this, "SendmailWriteTimeout", 1);
        if (writeTimeouts instanceof ScheduledThreadPoolExecutor scheduler) {
            // every write schedules a timeout and cancels it: cancelled ones must not wait in the queue for their delay
            scheduler.setRemoveOnCancelPolicy(true);
        }
        SmtpConnectionFactory factory = new SmtpConnectionFactory(configuration, tlsSocketFactory(), writeTimeouts);
        composer = new MessageComposer(configuration, factory.messageSession());
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        mailProviders = new MailProviderLookup(context != null ? context : SendmailEndpoint.class.getClassLoader());
        background = getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "SendmailConnections");
        sessions = new SmtpConnectionPool(factory, configuration, background);
    }

    @Override
    protected void doStop() throws Exception {
        if (sessions != null) {
            sessions.close();
            sessions = null;
        }
        if (background != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(background);
            background = null;
        }
        if (writeTimeouts != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(writeTimeouts);
            writeTimeouts = null;
        }
        super.doStop();
    }

    private SSLSocketFactory tlsSocketFactory() throws GeneralSecurityException, java.io.IOException {
        SSLContext context = configuration.getSslContextParameters() != null
                ? configuration.getSslContextParameters().createSSLContext(getCamelContext())
                : SSLContext.getDefault();
        return context.getSocketFactory();
    }

    MessageComposer composer() {
        return composer;
    }

    SmtpSessions sessions() {
        return sessions;
    }

    MailProviderLookup mailProviders() {
        return mailProviders;
    }
}
