package io.camelsendmail.springboot;

import org.apache.camel.spring.boot.ComponentConfigurationPropertiesCommon;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The sendmail: component's options as Spring Boot properties, {@code camel.component.sendmail.*}: the defaults of
 * every {@code sendmail:} endpoint. Written from the component's metadata (sendmail.json);
 * {@code ComponentConfigurationTest} checks that every option of the component is here.
 */
@ConfigurationProperties(prefix = "camel.component.sendmail")
public class SendmailComponentConfiguration extends ComponentConfigurationPropertiesCommon {

    /**
     * Whether to enable auto configuration of the sendmail component. This is enabled by default.
     */
    private Boolean enabled;
    /**
     * When some recipients are refused, send to the others and succeed with fewer accepted (true), or fail the
     * exchange before DATA (false).
     */
    private Boolean allowPartialDelivery = true;

    /**
     * A plain text alternative of every String body (an HTML body, with contentType text/html): the two go as
     * multipart/alternative. The header CamelSendmailAlternativeBody gives one per message.
     */
    private String alternativeBody;

    /**
     * Comma-separated Bcc recipients: envelope recipients only, never transmitted as a header. The exchange header
     * Bcc overrides it.
     */
    private String bcc;

    /**
     * Comma-separated Cc recipients. The exchange header Cc overrides it.
     */
    private String cc;

    /**
     * The content type of a String body, with its charset.
     */
    private String contentType = "text/plain; charset=UTF-8";

    /**
     * The envelope id that delivery status notifications carry back (ENVID). Header CamelSendmailDsnEnvid.
     */
    private String dsnEnvid;

    /**
     * Delivery status notifications (RFC 3461): NEVER, or SUCCESS, FAILURE and DELAY comma-separated, sent as
     * NOTIFY on each RCPT TO with ORCPT naming the recipient. The header CamelSendmailDsnNotify overrides it.
     */
    private String dsnNotify;

    /**
     * A message that asks for delivery status notifications fails before MAIL FROM where the server does not offer
     * DSN (true), or goes without them (false).
     */
    private Boolean dsnRequired = true;

    /**
     * What a delivery status notification returns: FULL (the message) or HDRS (its headers). Header
     * CamelSendmailDsnRet.
     */
    private String dsnRet;

    /**
     * The sender: the From header and the envelope sender (MAIL FROM). The exchange header From overrides it.
     */
    private String from;

    /**
     * Camel attachments that are images go inline (multipart/related), with their name as Content-ID, for cid:name
     * references in an HTML body. An attachment with a Content-ID header is inline in any case.
     */
    private Boolean inlineImages = false;

    /**
     * Whether the producer should be started lazy (on the first message). By starting lazy you can use this to
     * allow CamelContext and routes to startup in situations where a producer may otherwise fail during starting
     * and cause the route to fail being started. By deferring this startup to be lazy then the startup failure can
     * be handled during routing messages via Camel's routing error handlers. Beware that when the first message is
     * processed then creating and starting the producer may take a little time and prolong the total processing
     * time of the processing.
     */
    private Boolean lazyStartProducer = false;

    /**
     * The Reply-To address. The exchange header Reply-To overrides it.
     */
    private String replyTo;

    /**
     * The name this client gives in EHLO/HELO, and the domain of generated Message-IDs. Defaults to the local host
     * name.
     */
    private String senderDomainName;

    /**
     * The subject. The exchange header Subject overrides it.
     */
    private String subject;

    /**
     * Comma-separated To recipients. The exchange header To overrides it.
     */
    private String to;

    /**
     * Whether autowiring is enabled. This is used for automatic autowiring options (the option must be marked as
     * autowired) by looking up in the registry to find if there is a single instance of matching type, which then
     * gets configured on the component. This can be used for automatic configuring JDBC data sources, JMS
     * connection factories, AWS Clients, etc.
     */
    private Boolean autowiredEnabled = true;

    /**
     * How long to wait for the TCP connection, in milliseconds.
     */
    private Integer connectTimeout = 30000;

    /**
     * Milliseconds the health check's verdict holds: the server is asked (NOOP on an idle connection, else a
     * connection opened and closed; no mail) at most this often, and not at all while messages are accepted.
     */
    private Integer healthCheckInterval = 30000;

    /**
     * How long, in milliseconds, an unused connection is kept open for the next message before it is closed
     * (QUIT).
     */
    private Integer idleTimeout = 30000;

    /**
     * The most SMTP connections this endpoint keeps open at once. Route threads beyond this wait for a free
     * connection (at most connectTimeout plus timeout, then a transient SmtpConnectException).
     */
    private Integer maxConnections = 4;

    /**
     * How many transactions may be in flight together on one connection where the server offers PIPELINING: with
     * CHUNKING too, whole transactions (MAIL, RCPT, BDAT and the message) are written without waiting; with
     * PIPELINING alone, a message, its end, and the next message's MAIL, RCPT and DATA go in one write. 1 sends
     * one message at a time.
     */
    private Integer maxInFlight = 8;

    /**
     * The most recipients one SMTP transaction carries (Microsoft 365 500, Gmail 100, Amazon SES 50). None by default.
     * More go in further transactions of the same message, one exchange; the server's LIMITS RCPTMAX and a 452 "too
     * many recipients" split it the same way.
     */
    private Integer maxRecipientsPerMessage;

    /**
     * Milliseconds the endpoint begins no message after the server said the sender's sending quota is used up; those
     * messages fail as transient and the health check is DOWN meanwhile.
     */
    private Long quotaPause = 900000L;

    /**
     * How many messages one connection carries before it is closed (QUIT) and replaced. 1 opens a new connection
     * for every message.
     */
    private Integer maxMessagesPerConnection = 100;

    /**
     * The most messages this endpoint begins per second, on all its connections together, for a provider that
     * enforces a rate. None by default; rateLimit says the same with a unit (30/min). A server that says the client
     * sends too fast (a 421, 450, 451 or 454 whose text speaks of a rate, throttling or too many messages) pauses the
     * endpoint for a while in any case.
     */
    private Integer maxMessagesPerSecond;

    /**
     * The most messages this endpoint begins, on all its connections together, as a rate with its unit: 30/min
     * (Microsoft 365's per-mailbox limit), 2/s, 1000/h, 2000/day; evenly spaced. None by default. maxMessagesPerSecond
     * is the same for a whole number per second; set one of the two.
     */
    private String rateLimit;

    /**
     * How long any single read or write on the connection may take, in milliseconds.
     */
    private Integer timeout = 60000;

    /**
     * Log every SMTP command and reply at INFO (logger io.camelsendmail.smtp.wire), with AUTH payloads masked and
     * message data by its size: for finding out what a server says.
     */
    private Boolean wireLog = false;

    /**
     * Whether the producers of this component report a health check. Camel's producer checks are off by default:
     * camel.health.producersEnabled=true turns them on.
     */
    private Boolean healthCheckProducerEnabled = true;

    /**
     * An OAuth 2.0 bearer token to sign in with (SASL OAUTHBEARER, or XOAUTH2), for a token the route obtains
     * itself; username names the mailbox. Empty means none. Never logged.
     */
    private String accessToken;

    /**
     * Allow credentials to be sent without TLS when the server offers none. Off by default: only for trusted
     * networks.
     */
    private Boolean allowPlaintextAuth = false;

    /**
     * The DKIM canonicalization, header/body: relaxed/relaxed (the default, which survives relays' re-folding) or
     * simple.
     */
    private String dkimCanonicalization = "relaxed/relaxed";

    /**
     * The domain that DKIM-signs every message (d=), with dkimSelector and a private key; its DNS has the public
     * key at selector._domainkey.domain. Usually the From address's domain, for DMARC alignment.
     */
    private String dkimDomain;

    /**
     * The headers DKIM signs, comma-separated; by default RFC 6376's recommended set with List-Unsubscribe and
     * List-Unsubscribe-Post. From is always signed.
     */
    private String dkimHeaders;

    /**
     * The DKIM private key as a bean (a java.security.PrivateKey, RSA or Ed25519), instead of dkimPrivateKeyFile.
     * The option is a java.security.PrivateKey type.
     */
    private java.security.PrivateKey dkimPrivateKey;

    /**
     * The DKIM private key: a PKCS#8 file, PEM or DER, RSA (signs rsa-sha256) or Ed25519 (ed25519-sha256), as
     * openssl genpkey writes it. Read once, at start.
     */
    private String dkimPrivateKeyFile;

    /**
     * The DKIM selector (s=): the DNS label under _domainkey where the public key is published.
     */
    private String dkimSelector;

    /**
     * Speak TLS from the first byte (SMTPS, port 465 by default) instead of upgrading with STARTTLS.
     */
    private Boolean implicitTls = false;

    /**
     * The OAuth 2.0 client (application) id, for oauth2TokenUrl.
     */
    private String oauth2ClientId;

    /**
     * The OAuth 2.0 client secret, for oauth2TokenUrl; empty for a public client. Never logged.
     */
    private String oauth2ClientSecret;

    /**
     * A refresh token for oauth2TokenUrl: the refresh_token grant instead of client_credentials. Never logged.
     */
    private String oauth2RefreshToken;

    /**
     * The scopes to ask the token endpoint for, space-separated: https://outlook.office365.com/.default for
     * Microsoft 365 with client credentials, https://mail.google.com/ for Gmail.
     */
    private String oauth2Scope;

    /**
     * The token endpoint of the built-in OAuth 2.0 client (https; http only on a loopback address), for example
     * https://login.microsoftonline.com/TENANT/oauth2/v2.0/token. With oauth2RefreshToken it uses the
     * refresh_token grant, else client_credentials. Tokens are cached until shortly before they expire.
     */
    private String oauth2TokenUrl;

    /**
     * The password for SMTP AUTH; empty means none. Never logged.
     */
    private String password;

    /**
     * Fail with AuthenticationRequiredException, before MAIL FROM, when the server offers no usable AUTH.
     */
    private Boolean requireAuthentication = false;

    /**
     * Send nothing after EHLO outside TLS: without STARTTLS or implicit TLS the send fails with
     * TransportSecurityRequiredException.
     */
    private Boolean requireTransportSecurity = false;

    /**
     * The trust material (and client keys) for TLS. By default the JVM's trust store; the host name is always
     * verified. The option is a org.apache.camel.support.jsse.SSLContextParameters type.
     */
    private org.apache.camel.support.jsse.SSLContextParameters sslContextParameters;

    /**
     * A bean (#name) implementing io.camelsendmail.AccessTokenProvider that gives the OAuth 2.0 access tokens, for
     * any other source: a Google service account, msal4j, a vault. The option is a
     * io.camelsendmail.AccessTokenProvider type.
     */
    private io.camelsendmail.AccessTokenProvider tokenProvider;

    /**
     * A bean (#name), any Camel IdempotentRepository, holding addresses never to be mailed, in lower case: each is
     * dropped before MAIL FROM with the status 550 "suppressed: ..." in CamelSendmailStatuses. The option is a
     * org.apache.camel.spi.IdempotentRepository type.
     */
    private org.apache.camel.spi.IdempotentRepository suppressionRepository;

    /**
     * Use the Camel context's global SSLContextParameters (camel.ssl.) for every endpoint that sets no
     * sslContextParameters of its own
     */
    private Boolean useGlobalSslContextParameters = false;

    /**
     * The user name for SMTP AUTH (PLAIN, LOGIN or CRAM-MD5, as the server offers), or with OAuth 2.0 the mailbox
     * the token acts for; empty means none. Credentials are only ever sent inside TLS unless
     * allowPlaintextAuth=true.
     */
    private String username;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Boolean getAllowPartialDelivery() {
        return allowPartialDelivery;
    }

    public void setAllowPartialDelivery(Boolean allowPartialDelivery) {
        this.allowPartialDelivery = allowPartialDelivery;
    }

    public String getAlternativeBody() {
        return alternativeBody;
    }

    public void setAlternativeBody(String alternativeBody) {
        this.alternativeBody = alternativeBody;
    }

    public String getBcc() {
        return bcc;
    }

    public void setBcc(String bcc) {
        this.bcc = bcc;
    }

    public String getCc() {
        return cc;
    }

    public void setCc(String cc) {
        this.cc = cc;
    }

    public String getContentType() {
        return contentType;
    }

    public void setContentType(String contentType) {
        this.contentType = contentType;
    }

    public String getDsnEnvid() {
        return dsnEnvid;
    }

    public void setDsnEnvid(String dsnEnvid) {
        this.dsnEnvid = dsnEnvid;
    }

    public String getDsnNotify() {
        return dsnNotify;
    }

    public void setDsnNotify(String dsnNotify) {
        this.dsnNotify = dsnNotify;
    }

    public Boolean getDsnRequired() {
        return dsnRequired;
    }

    public void setDsnRequired(Boolean dsnRequired) {
        this.dsnRequired = dsnRequired;
    }

    public String getDsnRet() {
        return dsnRet;
    }

    public void setDsnRet(String dsnRet) {
        this.dsnRet = dsnRet;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public Boolean getInlineImages() {
        return inlineImages;
    }

    public void setInlineImages(Boolean inlineImages) {
        this.inlineImages = inlineImages;
    }

    public Boolean getLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(Boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public String getReplyTo() {
        return replyTo;
    }

    public void setReplyTo(String replyTo) {
        this.replyTo = replyTo;
    }

    public String getSenderDomainName() {
        return senderDomainName;
    }

    public void setSenderDomainName(String senderDomainName) {
        this.senderDomainName = senderDomainName;
    }

    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    public Boolean getAutowiredEnabled() {
        return autowiredEnabled;
    }

    public void setAutowiredEnabled(Boolean autowiredEnabled) {
        this.autowiredEnabled = autowiredEnabled;
    }

    public Integer getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Integer connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Integer getHealthCheckInterval() {
        return healthCheckInterval;
    }

    public void setHealthCheckInterval(Integer healthCheckInterval) {
        this.healthCheckInterval = healthCheckInterval;
    }

    public Integer getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Integer idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public Long getQuotaPause() {
        return quotaPause;
    }

    public void setQuotaPause(Long quotaPause) {
        this.quotaPause = quotaPause;
    }

    public Integer getMaxRecipientsPerMessage() {
        return maxRecipientsPerMessage;
    }

    public void setMaxRecipientsPerMessage(Integer maxRecipientsPerMessage) {
        this.maxRecipientsPerMessage = maxRecipientsPerMessage;
    }

    public Integer getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(Integer maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public Integer getMaxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    public void setMaxMessagesPerConnection(Integer maxMessagesPerConnection) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
    }

    public String getRateLimit() {
        return rateLimit;
    }

    public void setRateLimit(String rateLimit) {
        this.rateLimit = rateLimit;
    }

    public Integer getMaxMessagesPerSecond() {
        return maxMessagesPerSecond;
    }

    public void setMaxMessagesPerSecond(Integer maxMessagesPerSecond) {
        this.maxMessagesPerSecond = maxMessagesPerSecond;
    }

    public Integer getTimeout() {
        return timeout;
    }

    public void setTimeout(Integer timeout) {
        this.timeout = timeout;
    }

    public Boolean getWireLog() {
        return wireLog;
    }

    public void setWireLog(Boolean wireLog) {
        this.wireLog = wireLog;
    }

    public Boolean getHealthCheckProducerEnabled() {
        return healthCheckProducerEnabled;
    }

    public void setHealthCheckProducerEnabled(Boolean healthCheckProducerEnabled) {
        this.healthCheckProducerEnabled = healthCheckProducerEnabled;
    }

    public String getAccessToken() {
        return accessToken;
    }

    public void setAccessToken(String accessToken) {
        this.accessToken = accessToken;
    }

    public Boolean getAllowPlaintextAuth() {
        return allowPlaintextAuth;
    }

    public void setAllowPlaintextAuth(Boolean allowPlaintextAuth) {
        this.allowPlaintextAuth = allowPlaintextAuth;
    }

    public String getDkimCanonicalization() {
        return dkimCanonicalization;
    }

    public void setDkimCanonicalization(String dkimCanonicalization) {
        this.dkimCanonicalization = dkimCanonicalization;
    }

    public String getDkimDomain() {
        return dkimDomain;
    }

    public void setDkimDomain(String dkimDomain) {
        this.dkimDomain = dkimDomain;
    }

    public String getDkimHeaders() {
        return dkimHeaders;
    }

    public void setDkimHeaders(String dkimHeaders) {
        this.dkimHeaders = dkimHeaders;
    }

    public java.security.PrivateKey getDkimPrivateKey() {
        return dkimPrivateKey;
    }

    public void setDkimPrivateKey(java.security.PrivateKey dkimPrivateKey) {
        this.dkimPrivateKey = dkimPrivateKey;
    }

    public String getDkimPrivateKeyFile() {
        return dkimPrivateKeyFile;
    }

    public void setDkimPrivateKeyFile(String dkimPrivateKeyFile) {
        this.dkimPrivateKeyFile = dkimPrivateKeyFile;
    }

    public String getDkimSelector() {
        return dkimSelector;
    }

    public void setDkimSelector(String dkimSelector) {
        this.dkimSelector = dkimSelector;
    }

    public Boolean getImplicitTls() {
        return implicitTls;
    }

    public void setImplicitTls(Boolean implicitTls) {
        this.implicitTls = implicitTls;
    }

    public String getOauth2ClientId() {
        return oauth2ClientId;
    }

    public void setOauth2ClientId(String oauth2ClientId) {
        this.oauth2ClientId = oauth2ClientId;
    }

    public String getOauth2ClientSecret() {
        return oauth2ClientSecret;
    }

    public void setOauth2ClientSecret(String oauth2ClientSecret) {
        this.oauth2ClientSecret = oauth2ClientSecret;
    }

    public String getOauth2RefreshToken() {
        return oauth2RefreshToken;
    }

    public void setOauth2RefreshToken(String oauth2RefreshToken) {
        this.oauth2RefreshToken = oauth2RefreshToken;
    }

    public String getOauth2Scope() {
        return oauth2Scope;
    }

    public void setOauth2Scope(String oauth2Scope) {
        this.oauth2Scope = oauth2Scope;
    }

    public String getOauth2TokenUrl() {
        return oauth2TokenUrl;
    }

    public void setOauth2TokenUrl(String oauth2TokenUrl) {
        this.oauth2TokenUrl = oauth2TokenUrl;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public Boolean getRequireAuthentication() {
        return requireAuthentication;
    }

    public void setRequireAuthentication(Boolean requireAuthentication) {
        this.requireAuthentication = requireAuthentication;
    }

    public Boolean getRequireTransportSecurity() {
        return requireTransportSecurity;
    }

    public void setRequireTransportSecurity(Boolean requireTransportSecurity) {
        this.requireTransportSecurity = requireTransportSecurity;
    }

    public org.apache.camel.support.jsse.SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    public void setSslContextParameters(org.apache.camel.support.jsse.SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public org.apache.camel.spi.IdempotentRepository getSuppressionRepository() {
        return suppressionRepository;
    }

    public void setSuppressionRepository(org.apache.camel.spi.IdempotentRepository suppressionRepository) {
        this.suppressionRepository = suppressionRepository;
    }

    public io.camelsendmail.AccessTokenProvider getTokenProvider() {
        return tokenProvider;
    }

    public void setTokenProvider(io.camelsendmail.AccessTokenProvider tokenProvider) {
        this.tokenProvider = tokenProvider;
    }

    public Boolean getUseGlobalSslContextParameters() {
        return useGlobalSslContextParameters;
    }

    public void setUseGlobalSslContextParameters(Boolean useGlobalSslContextParameters) {
        this.useGlobalSslContextParameters = useGlobalSslContextParameters;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }
}
