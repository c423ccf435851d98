package io.camelsendmail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;

import io.camelsendmail.message.Addresses;
import io.camelsendmail.message.DkimSigner;
import io.camelsendmail.message.MailProviderLookup;
import io.camelsendmail.message.MessageComposer;
import io.camelsendmail.oauth.FixedToken;
import io.camelsendmail.oauth.OAuth2TokenClient;
import io.camelsendmail.oauth.ProvidedTokens;
import io.camelsendmail.smtp.BearerTokens;
import io.camelsendmail.smtp.Dsn;
import io.camelsendmail.smtp.SmtpConnectionPool;
import io.camelsendmail.smtp.SmtpSettings;
import io.camelsendmail.smtp.TransportSecurity;
import org.apache.camel.AsyncEndpoint;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.apache.camel.util.URISupport;

/**
 * Send mail over SMTP: Twisted's {@code sendmail} as a Camel producer, with TLS enforcement, authentication and
 * per-recipient results.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "sendmail", title = "Sendmail", syntax = "sendmail:host:port",
             producerOnly = true, category = { Category.MAIL }, headersClass = SendmailConstants.class)
@ManagedResource(description = "A sendmail: endpoint: its SMTP connections, and what it delivered since it started")
public class SendmailEndpoint extends DefaultEndpoint implements AsyncEndpoint {

    @UriParam
    private SendmailConfiguration configuration;

    private MessageComposer composer;
    private DkimSigner dkim;
    /** What the SMTP client needs, but the write timers that the shared connections bring; set when started. */
    private java.util.function.Function<ScheduledExecutorService, SmtpSettings> settings;
    private EndpointConnections connections;
    private MailProviderLookup mailProviders;
    private final SendmailStatistics statistics = new SendmailStatistics();
    private AutoCloseable meters;

    public SendmailEndpoint(String uri, SendmailComponent component, SendmailConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    /**
     * The endpoint's URI as errors and logs show it, secrets masked: {@code sendmail:host:port?options}. Camel's own
     * masking takes {@code //host:port?from=me@} for a user and password and would show
     * {@code sendmail://127.0.0.1:xxxxxx@example.com}; without the {@code //} only the secret options are masked.
     */
    @Override
    public String toString() {
        String uri = getEndpointUri();
        return URISupport.sanitizeUri(uri.startsWith("sendmail://") ? "sendmail:" + uri.substring("sendmail://".length()) : uri);
    }

    /**
     * The key Camel names the endpoint by (its JMX MBean, its tooling), in the same form as {@link #toString()}: Camel
     * masks the key for JMX as it masks a URI, and the {@code //} form would show the host's port as a password.
     */
    @Override
    public String getEndpointKey() {
        String key = super.getEndpointKey();
        return key != null && key.startsWith("sendmail://") ? "sendmail:" + key.substring("sendmail://".length()) : key;
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
        if (c.getMaxInFlight() < 1) {
            throw new IllegalArgumentException("sendmail: option maxInFlight must be at least 1, got " + c.getMaxInFlight());
        }
        if (c.getQuotaPause() < 0) {
            throw new IllegalArgumentException("sendmail: option quotaPause must be at least 0, got " + c.getQuotaPause());
        }
        if (c.getMaxRecipientsPerMessage() != null && c.getMaxRecipientsPerMessage() < 1) {
            throw new IllegalArgumentException("sendmail: option maxRecipientsPerMessage must be at least 1, got "
                                               + c.getMaxRecipientsPerMessage());
        }
        if (c.getMaxMessagesPerSecond() != null && c.getMaxMessagesPerSecond() < 1) {
            throw new IllegalArgumentException("sendmail: option maxMessagesPerSecond must be at least 1, got "
                                               + c.getMaxMessagesPerSecond());
        }
        if (c.getRateLimit() != null && !c.getRateLimit().isBlank()) {
            if (c.getMaxMessagesPerSecond() != null) {
                throw new IllegalArgumentException("sendmail: options rateLimit and maxMessagesPerSecond both set the rate: "
                                                   + "set one");
            }
            c.messagesPerSecond();
        }
        if (c.getIdleTimeout() <= 0) {
            throw new IllegalArgumentException("sendmail: option idleTimeout must be a positive number of milliseconds, got "
                                               + c.getIdleTimeout());
        }
        validateCredentials(c);
        dkim = dkimSigner(c);
        try {
            Dsn.of(c.getDsnNotify(), c.getDsnRet(), c.getDsnEnvid());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sendmail: option " + e.getMessage(), e);
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

    /** A user name with exactly one of: a password, a fixed token, the built-in OAuth 2.0 client, a token provider. */
    private static void validateCredentials(SendmailConfiguration c) {
        int tokenSources = (c.getAccessToken() != null ? 1 : 0) + (c.getOauth2TokenUrl() != null ? 1 : 0)
                           + (c.getTokenProvider() != null ? 1 : 0);
        if (tokenSources > 1) {
            throw new IllegalArgumentException(
                    "sendmail: options accessToken, oauth2TokenUrl and tokenProvider each give the OAuth 2.0 token: set one");
        }
        if (tokenSources == 1 && c.getPassword() != null) {
            throw new IllegalArgumentException(
                    "sendmail: option password cannot be used with an OAuth 2.0 token (accessToken, oauth2TokenUrl or tokenProvider)");
        }
        if (tokenSources == 1 && c.getUsername() == null) {
            throw new IllegalArgumentException(
                    "sendmail: OAuth 2.0 sign-in needs the option username: the mailbox the token acts for");
        }
        if (tokenSources == 0 && (c.getUsername() == null) != (c.getPassword() == null)) {
            throw new IllegalArgumentException("sendmail: options username and password must be set together "
                                               + "(or username with accessToken, oauth2TokenUrl or tokenProvider)");
        }
        if (c.getOauth2TokenUrl() == null) {
            for (String[] option : new String[][] {
                    { "oauth2ClientId", c.getOauth2ClientId() }, { "oauth2ClientSecret", c.getOauth2ClientSecret() },
                    { "oauth2Scope", c.getOauth2Scope() }, { "oauth2RefreshToken", c.getOauth2RefreshToken() } }) {
                if (option[1] != null) {
                    throw new IllegalArgumentException("sendmail: option " + option[0] + " needs the option oauth2TokenUrl");
                }
            }
        } else {
            URI url;
            try {
                url = new URI(c.getOauth2TokenUrl());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("sendmail: option oauth2TokenUrl is not a URL: " + e.getMessage(), e);
            }
            String refusal = OAuth2TokenClient.refusal(url);
            if (refusal != null) {
                throw new IllegalArgumentException("sendmail: option oauth2TokenUrl " + refusal + ": " + url);
            }
            if (c.getOauth2ClientId() == null) {
                throw new IllegalArgumentException("sendmail: option oauth2TokenUrl needs the option oauth2ClientId");
            }
        }
        if (c.isRequireAuthentication() && c.getUsername() == null) {
            throw new IllegalArgumentException("sendmail: option requireAuthentication=true needs credentials: the options "
                                               + "username and password, or username and an OAuth 2.0 token");
        }
    }

    /** The DKIM signer of the options, or null where none of them is set. */
    private static DkimSigner dkimSigner(SendmailConfiguration c) {
        boolean key = c.getDkimPrivateKeyFile() != null || c.getDkimPrivateKey() != null;
        if (c.getDkimDomain() == null && c.getDkimSelector() == null && !key) {
            if (c.getDkimHeaders() != null) {
                throw new IllegalArgumentException("sendmail: option dkimHeaders needs dkimDomain, dkimSelector and a private key");
            }
            return null;
        }
        if (c.getDkimDomain() == null || c.getDkimSelector() == null || !key) {
            throw new IllegalArgumentException("sendmail: DKIM signing needs the options dkimDomain, dkimSelector, and "
                                               + "dkimPrivateKeyFile or dkimPrivateKey together");
        }
        if (c.getDkimPrivateKeyFile() != null && c.getDkimPrivateKey() != null) {
            throw new IllegalArgumentException("sendmail: options dkimPrivateKeyFile and dkimPrivateKey each give the DKIM key: set one");
        }
        try {
            PrivateKey privateKey = c.getDkimPrivateKey();
            if (privateKey == null) {
                try {
                    privateKey = DkimSigner.readPrivateKey(Path.of(c.getDkimPrivateKeyFile()));
                } catch (IOException e) {
                    throw new IllegalArgumentException("the DKIM key file cannot be read: " + e, e);
                }
            }
            List<String> headers = c.getDkimHeaders() == null ? null : List.of(c.getDkimHeaders().split(","));
            return new DkimSigner(c.getDkimDomain(), c.getDkimSelector(), privateKey, c.getDkimCanonicalization(), headers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sendmail: " + e.getMessage(), e);
        }
    }

    /** Where the OAuth 2.0 tokens come from, or null when a password (or nothing) signs in. */
    private BearerTokens bearerTokens() {
        SendmailConfiguration c = configuration;
        if (c.getAccessToken() != null) {
            return new FixedToken(c.getAccessToken());
        }
        if (c.getTokenProvider() != null) {
            return new ProvidedTokens(c.getTokenProvider());
        }
        if (c.getOauth2TokenUrl() != null) {
            return new OAuth2TokenClient(URI.create(c.getOauth2TokenUrl()), c.getOauth2ClientId(), c.getOauth2ClientSecret(),
                    c.getOauth2Scope(), c.getOauth2RefreshToken(), c.getConnectTimeout(), c.getTimeout());
        }
        return null;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // again: the configuration may have been changed through its setters since the endpoint was created
        validate();
        SendmailConfiguration c = configuration;
        // started (a memory repository makes its cache then), never stopped here: the bounce route shares it
        ServiceHelper.startService(c.getSuppressionRepository());
        TransportSecurity security = new TransportSecurity(c.isRequireTransportSecurity(), c.getUsername() != null,
                c.isAllowPlaintextAuth(), c.isRequireAuthentication());
        SSLSocketFactory tls = tlsSocketFactory();
        String heloName = heloName();
        BearerTokens tokens = bearerTokens();
        settings = writeTimeouts -> new SmtpSettings(c.getHost(), c.effectivePort(), c.isImplicitTls(), tls,
                heloName, c.getUsername(), c.getPassword(), tokens, security, c.getConnectTimeout(), c.getTimeout(),
                c.isAllowPartialDelivery(), c.isDsnRequired(), c.isWireLog(), c.getMaxConnections(), c.getMaxMessagesPerConnection(),
                c.getMaxInFlight(), c.getMaxRecipientsPerMessage() != null ? c.getMaxRecipientsPerMessage() : 0,
                c.messagesPerSecond(),
                c.getIdleTimeout(), c.getQuotaPause(), writeTimeouts);
        composer = MessageComposer.of(configuration, dkim);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        mailProviders = new MailProviderLookup(context != null ? context : SendmailEndpoint.class.getClassLoader());
        meters = SendmailMeters.bind(this);
    }

    @Override
    protected void doStop() throws Exception {
        if (meters != null) {
            meters.close();
            meters = null;
        }
        EndpointConnections used;
        synchronized (this) {
            used = connections;
            connections = null;
            settings = null;
        }
        if (used != null) {
            // the transactions in flight finish, every connection says QUIT: where no other endpoint for this URI uses them
            ((SendmailComponent) getComponent()).release(getEndpointUri(), used);
        }
        super.doStop();
    }

    /**
     * The EHLO name: senderDomainName, else this host's canonical name (as Jakarta Mail gives it), else its address as
     * a literal.
     */
    private String heloName() {
        if (configuration.getSenderDomainName() != null) {
            return configuration.getSenderDomainName();
        }
        try {
            InetAddress local = InetAddress.getLocalHost();
            String name = local.getCanonicalHostName();
            return name != null && !name.isEmpty() ? name : "[" + local.getHostAddress() + "]";
        } catch (IOException e) {
            return "[127.0.0.1]";
        }
    }

    private SSLSocketFactory tlsSocketFactory() throws GeneralSecurityException, IOException {
        SSLContextParameters parameters = configuration.getSslContextParameters();
        if (parameters == null && getComponent() instanceof SendmailComponent component
            && component.isUseGlobalSslContextParameters()) {
            parameters = component.retrieveGlobalSslContextParameters();
            if (parameters == null) {
                parameters = trustStoreOnly();
            }
        }
        SSLContext context = parameters != null ? parameters.createSSLContext(getCamelContext()) : SSLContext.getDefault();
        return context.getSocketFactory();
    }

    /**
     * A client needs a trust store and no key store, but Camel Main sets no global SSL parameters without a key store
     * ("SSL is enabled but no keystore is configured"). With useGlobalSslContextParameters, camel.ssl.trustStore (and
     * its password) alone is then the trust of this endpoint.
     *
     * @return the parameters from camel.ssl.trustStore, or null where it is not set
     */
    private SSLContextParameters trustStoreOnly() {
        PropertiesComponent properties = getCamelContext().getPropertiesComponent();
        String store = property(properties, "camel.ssl.trustStore", "camel.ssl.trust-store");
        if (store == null) {
            return null;
        }
        KeyStoreParameters trusted = new KeyStoreParameters();
        trusted.setCamelContext(getCamelContext());
        trusted.setResource(store);
        trusted.setPassword(property(properties, "camel.ssl.trustStorePassword", "camel.ssl.trust-store-password"));
        TrustManagersParameters trust = new TrustManagersParameters();
        trust.setCamelContext(getCamelContext());
        trust.setKeyStore(trusted);
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setCamelContext(getCamelContext());
        parameters.setTrustManagers(trust);
        return parameters;
    }

    private static String property(PropertiesComponent properties, String camelCase, String kebabCase) {
        return properties.resolveProperty(camelCase).or(() -> properties.resolveProperty(kebabCase))
                .filter(value -> !value.isBlank()).orElse(null);
    }

    MessageComposer composer() {
        return composer;
    }

    /** What this endpoint delivered, and why it failed, since it was created. */
    public SendmailStatistics getStatistics() {
        return statistics;
    }

    /** @return why no message begins now (the server said the sending quota is used up), or null */
    synchronized String quotaPause() {
        return connections == null ? null : connections.pool().quotaPause();
    }

    /** Opens and closes one connection, as the health check does; see {@link SmtpConnectionPool#probe()}. */
    boolean probe() throws SendmailException {
        SmtpConnectionPool pool = connections();
        if (pool == null) {
            throw new SmtpConnectException("the sendmail: endpoint for " + configuration.getHost() + " is not started",
                    "CONNECT", -1, true, null, null);
        }
        return pool.probe();
    }

    /** The pool's state, or all zero while the endpoint is stopped or has sent nothing yet. */
    SmtpConnectionPool.State poolState() {
        EndpointConnections started = connections;
        return started != null ? started.pool().state() : new SmtpConnectionPool.State(0, 0, 0, 0, 0, 0);
    }

    @ManagedAttribute(description = "The SMTP server, host:port")
    public String getServer() {
        return configuration.getHost() + ":" + configuration.effectivePort();
    }

    @ManagedAttribute(description = "Connections open: idle, or carrying messages")
    public int getConnectionsOpen() {
        return poolState().open();
    }

    @ManagedAttribute(description = "Open connections waiting for a message")
    public int getConnectionsIdle() {
        return poolState().idle();
    }

    @ManagedAttribute(description = "Open connections carrying messages")
    public int getConnectionsBusy() {
        return poolState().busy();
    }

    @ManagedAttribute(description = "Connections opened since the endpoint started")
    public long getConnectionsOpened() {
        return poolState().opened();
    }

    @ManagedAttribute(description = "Connections that could not be opened (unreachable, TLS, sign-in refused)")
    public long getConnectionFailures() {
        return poolState().openFailures();
    }

    @ManagedAttribute(description = "Messages waiting for a connection")
    public int getMessagesQueued() {
        return poolState().queued();
    }

    @ManagedAttribute(description = "Messages the server accepted")
    public long getMessagesSent() {
        return statistics.getMessagesSent();
    }

    @ManagedAttribute(description = "Messages that failed, of every kind")
    public long getMessagesFailed() {
        return statistics.getMessagesFailed();
    }

    @ManagedAttribute(description = "Recipients the server accepted")
    public long getRecipientsAccepted() {
        return statistics.getRecipientsAccepted();
    }

    @ManagedAttribute(description = "Recipients the server refused")
    public long getRecipientsRefused() {
        return statistics.getRecipientsRefused();
    }

    @ManagedAttribute(description = "Messages failed because the server could not be reached or dropped the connection")
    public long getFailedConnect() {
        return statistics.getFailedConnect();
    }

    @ManagedAttribute(description = "Messages failed because TLS was required and not to be had")
    public long getFailedTransportSecurity() {
        return statistics.getFailedTransportSecurity();
    }

    @ManagedAttribute(description = "Messages failed because the sign-in was refused or not offered")
    public long getFailedAuthentication() {
        return statistics.getFailedAuthentication();
    }

    @ManagedAttribute(description = "Messages the server refused (sender, recipients or data)")
    public long getFailedDelivery() {
        return statistics.getFailedDelivery();
    }

    @ManagedAttribute(description = "Messages refused as bad input, before any connection")
    public long getFailedInvalidMessage() {
        return statistics.getFailedInvalidMessage();
    }

    /**
     * The connections to the server: started with the first message or probe, shared with any other endpoint object
     * for the same URI.
     *
     * @return the pool, or null when the endpoint is not started
     */
    synchronized SmtpConnectionPool connections() {
        if (connections == null) {
            if (settings == null) {
                return null;
            }
            connections = ((SendmailComponent) getComponent()).connections(getEndpointUri(), this, settings);
        }
        return connections.pool();
    }

    MailProviderLookup mailProviders() {
        return mailProviders;
    }
}
