package io.camelsendmail;

import java.security.PrivateKey;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The options of a {@code sendmail:} endpoint. Plain data: {@link SendmailEndpoint} validates it when it starts.
 */
@UriParams
public class SendmailConfiguration implements Cloneable {

    public static final int DEFAULT_PORT = 25;
    public static final int DEFAULT_IMPLICIT_TLS_PORT = 465;

    @UriPath
    @Metadata(required = true)
    private String host;
    @UriPath
    private Integer port;

    @UriParam(label = "producer")
    private String from;
    @UriParam(label = "producer")
    private String to;
    @UriParam(label = "producer")
    private String cc;
    @UriParam(label = "producer")
    private String bcc;
    @UriParam(label = "producer")
    private String replyTo;
    @UriParam(label = "producer")
    private String subject;
    @UriParam(label = "producer", defaultValue = "text/plain; charset=UTF-8")
    private String contentType = "text/plain; charset=UTF-8";
    @UriParam(label = "producer")
    private String senderDomainName;
    @UriParam(label = "producer", defaultValue = "true")
    private boolean allowPartialDelivery = true;
    @UriParam(label = "producer")
    private String alternativeBody;
    @UriParam(label = "producer", defaultValue = "false")
    private boolean inlineImages;
    @UriParam(label = "producer")
    private String dsnNotify;
    @UriParam(label = "producer", enums = "FULL,HDRS")
    private String dsnRet;
    @UriParam(label = "producer")
    private String dsnEnvid;
    @UriParam(label = "producer", defaultValue = "true")
    private boolean dsnRequired = true;

    @UriParam(label = "security", secret = true)
    private String username;
    @UriParam(label = "security", secret = true)
    private String password;
    @UriParam(label = "security", secret = true)
    private String accessToken;
    @UriParam(label = "security")
    private String oauth2TokenUrl;
    @UriParam(label = "security")
    private String oauth2ClientId;
    @UriParam(label = "security", secret = true)
    private String oauth2ClientSecret;
    @UriParam(label = "security")
    private String oauth2Scope;
    @UriParam(label = "security", secret = true)
    private String oauth2RefreshToken;
    @UriParam(label = "security")
    private AccessTokenProvider tokenProvider;
    @UriParam(label = "producer")
    private IdempotentRepository suppressionRepository;
    @UriParam(label = "security", defaultValue = "false")
    private boolean requireAuthentication;
    @UriParam(label = "security", defaultValue = "false")
    private boolean requireTransportSecurity;
    @UriParam(label = "security", defaultValue = "false")
    private boolean allowPlaintextAuth;
    @UriParam(label = "security", defaultValue = "false")
    private boolean implicitTls;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;

    @UriParam(label = "security")
    private String dkimDomain;
    @UriParam(label = "security")
    private String dkimSelector;
    @UriParam(label = "security")
    private String dkimPrivateKeyFile;
    @UriParam(label = "security")
    private PrivateKey dkimPrivateKey;
    @UriParam(label = "security", defaultValue = "relaxed/relaxed", enums = "relaxed/relaxed,relaxed/simple,simple/relaxed,simple/simple")
    private String dkimCanonicalization = "relaxed/relaxed";
    @UriParam(label = "security")
    private String dkimHeaders;

    @UriParam(label = "advanced", defaultValue = "30000", javaType = "int")
    private int connectTimeout = 30000;
    @UriParam(label = "advanced", defaultValue = "60000", javaType = "int")
    private int timeout = 60000;
    @UriParam(label = "advanced", defaultValue = "4", javaType = "int")
    private int maxConnections = 4;
    @UriParam(label = "advanced", defaultValue = "100", javaType = "int")
    private int maxMessagesPerConnection = 100;
    @UriParam(label = "advanced", defaultValue = "30000", javaType = "int")
    private int idleTimeout = 30000;
    @UriParam(label = "advanced", defaultValue = "8", javaType = "int")
    private int maxInFlight = 8;
    @UriParam(label = "advanced")
    private Integer maxRecipientsPerMessage;
    @UriParam(label = "advanced", defaultValue = "900000", javaType = "long")
    private long quotaPause = 900000;
    @UriParam(label = "advanced", javaType = "java.lang.Integer")
    private Integer maxMessagesPerSecond;
    @UriParam(label = "advanced")
    private String rateLimit;
    @UriParam(label = "advanced", defaultValue = "false")
    private boolean wireLog;
    @UriParam(label = "advanced", defaultValue = "30000", javaType = "int")
    private int healthCheckInterval = 30000;

    public int getHealthCheckInterval() {
        return healthCheckInterval;
    }

    /**
     * Milliseconds the health check's verdict holds: the server is asked (NOOP on an idle connection, else a connection
     * opened and closed; no mail) at most this often, and not at all while messages are accepted.
     */
    public void setHealthCheckInterval(int healthCheckInterval) {
        this.healthCheckInterval = healthCheckInterval;
    }

    public SendmailConfiguration copy() {
        try {
            return (SendmailConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /** @return the port to connect to: the configured one, else 465 with implicit TLS, else 25 */
    public int effectivePort() {
        if (port != null) {
            return port;
        }
        return implicitTls ? DEFAULT_IMPLICIT_TLS_PORT : DEFAULT_PORT;
    }

    public String getHost() {
        return host;
    }

    /** The SMTP server's host name or IP address. */
    public void setHost(String host) {
        this.host = host;
    }

    public Integer getPort() {
        return port;
    }

    /** The SMTP server's port: 25 by default, or 465 with implicitTls=true. */
    public void setPort(Integer port) {
        this.port = port;
    }

    public String getFrom() {
        return from;
    }

    /** The sender: the From header and the envelope sender (MAIL FROM). The exchange header From overrides it. */
    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    /** Comma-separated To recipients. The exchange header To overrides it. */
    public void setTo(String to) {
        this.to = to;
    }

    public String getCc() {
        return cc;
    }

    /** Comma-separated Cc recipients. The exchange header Cc overrides it. */
    public void setCc(String cc) {
        this.cc = cc;
    }

    public String getBcc() {
        return bcc;
    }

    /** Comma-separated Bcc recipients: envelope recipients only, never transmitted as a header. The exchange header Bcc overrides it. */
    public void setBcc(String bcc) {
        this.bcc = bcc;
    }

    public String getReplyTo() {
        return replyTo;
    }

    /** The Reply-To address. The exchange header Reply-To overrides it. */
    public void setReplyTo(String replyTo) {
        this.replyTo = replyTo;
    }

    public String getSubject() {
        return subject;
    }

    /** The subject. The exchange header Subject overrides it. */
    public void setSubject(String subject) {
        this.subject = subject;
    }

    public String getContentType() {
        return contentType;
    }

    /** The content type of a String body, with its charset. */
    public void setContentType(String contentType) {
        this.contentType = contentType;
    }

    public String getSenderDomainName() {
        return senderDomainName;
    }

    /** The name this client gives in EHLO/HELO, and the domain of generated Message-IDs. Defaults to the local host name. */
    public void setSenderDomainName(String senderDomainName) {
        this.senderDomainName = senderDomainName;
    }

    public boolean isAllowPartialDelivery() {
        return allowPartialDelivery;
    }

    /**
     * When some recipients are refused, send to the others and succeed with fewer accepted (true), or fail the exchange
     * before DATA (false).
     */
    public void setAllowPartialDelivery(boolean allowPartialDelivery) {
        this.allowPartialDelivery = allowPartialDelivery;
    }

    public String getUsername() {
        return username;
    }

    /**
     * The user name for SMTP AUTH (PLAIN, LOGIN or CRAM-MD5, as the server offers), or with OAuth 2.0 the mailbox the
     * token acts for; empty means none. Credentials are only ever sent inside TLS unless allowPlaintextAuth=true.
     */
    public void setUsername(String username) {
        this.username = username == null || username.isEmpty() ? null : username;
    }

    public String getPassword() {
        return password;
    }

    /** The password for SMTP AUTH; empty means none. Never logged. */
    public void setPassword(String password) {
        this.password = password == null || password.isEmpty() ? null : password;
    }

    public boolean isRequireAuthentication() {
        return requireAuthentication;
    }

    /** Fail with AuthenticationRequiredException, before MAIL FROM, when the server offers no usable AUTH. */
    public void setRequireAuthentication(boolean requireAuthentication) {
        this.requireAuthentication = requireAuthentication;
    }

    public boolean isRequireTransportSecurity() {
        return requireTransportSecurity;
    }

    /** Send nothing after EHLO outside TLS: without STARTTLS or implicit TLS the send fails with TransportSecurityRequiredException. */
    public void setRequireTransportSecurity(boolean requireTransportSecurity) {
        this.requireTransportSecurity = requireTransportSecurity;
    }

    public boolean isAllowPlaintextAuth() {
        return allowPlaintextAuth;
    }

    /** Allow credentials to be sent without TLS when the server offers none. Off by default: only for trusted networks. */
    public void setAllowPlaintextAuth(boolean allowPlaintextAuth) {
        this.allowPlaintextAuth = allowPlaintextAuth;
    }

    public boolean isImplicitTls() {
        return implicitTls;
    }

    /** Speak TLS from the first byte (SMTPS, port 465 by default) instead of upgrading with STARTTLS. */
    public void setImplicitTls(boolean implicitTls) {
        this.implicitTls = implicitTls;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /** The trust material (and client keys) for TLS. By default the JVM's trust store; the host name is always verified. */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public String getDkimDomain() {
        return dkimDomain;
    }

    /**
     * The domain that DKIM-signs every message (d=), with dkimSelector and a private key; its DNS has the public key at
     * selector._domainkey.domain. Usually the From address's domain, for DMARC alignment.
     */
    public void setDkimDomain(String dkimDomain) {
        this.dkimDomain = dkimDomain;
    }

    public String getDkimSelector() {
        return dkimSelector;
    }

    /** The DKIM selector (s=): the DNS label under _domainkey where the public key is published. */
    public void setDkimSelector(String dkimSelector) {
        this.dkimSelector = dkimSelector;
    }

    public String getDkimPrivateKeyFile() {
        return dkimPrivateKeyFile;
    }

    /**
     * The DKIM private key: a PKCS#8 file, PEM or DER, RSA (signs rsa-sha256) or Ed25519 (ed25519-sha256), as
     * openssl genpkey writes it. Read once, at start.
     */
    public void setDkimPrivateKeyFile(String dkimPrivateKeyFile) {
        this.dkimPrivateKeyFile = dkimPrivateKeyFile;
    }

    public PrivateKey getDkimPrivateKey() {
        return dkimPrivateKey;
    }

    /** The DKIM private key as a bean (a java.security.PrivateKey, RSA or Ed25519), instead of dkimPrivateKeyFile. */
    public void setDkimPrivateKey(PrivateKey dkimPrivateKey) {
        this.dkimPrivateKey = dkimPrivateKey;
    }

    public String getDkimCanonicalization() {
        return dkimCanonicalization;
    }

    /** The DKIM canonicalization, header/body: relaxed/relaxed (the default, which survives relays' re-folding) or simple. */
    public void setDkimCanonicalization(String dkimCanonicalization) {
        this.dkimCanonicalization = dkimCanonicalization;
    }

    public String getDkimHeaders() {
        return dkimHeaders;
    }

    /**
     * The headers DKIM signs, comma-separated; by default RFC 6376's recommended set with List-Unsubscribe and
     * List-Unsubscribe-Post. From is always signed.
     */
    public void setDkimHeaders(String dkimHeaders) {
        this.dkimHeaders = dkimHeaders;
    }

    public int getConnectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for the TCP connection, in milliseconds. */
    public void setConnectTimeout(int connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public int getTimeout() {
        return timeout;
    }

    /** How long any single read or write on the connection may take, in milliseconds. */
    public void setTimeout(int timeout) {
        this.timeout = timeout;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    /**
     * The most SMTP connections this endpoint keeps open at once. Route threads beyond this wait for a free connection
     * (at most connectTimeout plus timeout, then a transient SmtpConnectException).
     */
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    /**
     * How many messages one connection carries before it is closed (QUIT) and replaced. 1 opens a new connection for
     * every message.
     */
    public void setMaxMessagesPerConnection(int maxMessagesPerConnection) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
    }

    public int getIdleTimeout() {
        return idleTimeout;
    }

    /** How long, in milliseconds, an unused connection is kept open for the next message before it is closed (QUIT). */
    public void setIdleTimeout(int idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public boolean isWireLog() {
        return wireLog;
    }

    /**
     * Log every SMTP command and reply at INFO (logger io.camelsendmail.smtp.wire), with AUTH payloads masked
     * and message data by its size: for finding out what a server says.
     */
    public void setWireLog(boolean wireLog) {
        this.wireLog = wireLog;
    }

    public String getAccessToken() {
        return accessToken;
    }

    /**
     * An OAuth 2.0 bearer token to sign in with (SASL OAUTHBEARER, or XOAUTH2), for a token the route obtains itself;
     * username names the mailbox. Empty means none. Never logged.
     */
    public void setAccessToken(String accessToken) {
        this.accessToken = emptyAsNull(accessToken);
    }

    public String getOauth2TokenUrl() {
        return oauth2TokenUrl;
    }

    /**
     * The token endpoint of the built-in OAuth 2.0 client (https; http only on a loopback address), for example
     * https://login.microsoftonline.com/TENANT/oauth2/v2.0/token. With oauth2RefreshToken it uses the refresh_token
     * grant, else client_credentials. Tokens are cached until shortly before they expire.
     */
    public void setOauth2TokenUrl(String oauth2TokenUrl) {
        this.oauth2TokenUrl = emptyAsNull(oauth2TokenUrl);
    }

    public String getOauth2ClientId() {
        return oauth2ClientId;
    }

    /** The OAuth 2.0 client (application) id, for oauth2TokenUrl. */
    public void setOauth2ClientId(String oauth2ClientId) {
        this.oauth2ClientId = emptyAsNull(oauth2ClientId);
    }

    public String getOauth2ClientSecret() {
        return oauth2ClientSecret;
    }

    /** The OAuth 2.0 client secret, for oauth2TokenUrl; empty for a public client. Never logged. */
    public void setOauth2ClientSecret(String oauth2ClientSecret) {
        this.oauth2ClientSecret = emptyAsNull(oauth2ClientSecret);
    }

    public String getOauth2Scope() {
        return oauth2Scope;
    }

    /**
     * The scopes to ask the token endpoint for, space-separated: https://outlook.office365.com/.default for Microsoft
     * 365 with client credentials, https://mail.google.com/ for Gmail.
     */
    public void setOauth2Scope(String oauth2Scope) {
        this.oauth2Scope = emptyAsNull(oauth2Scope);
    }

    public String getOauth2RefreshToken() {
        return oauth2RefreshToken;
    }

    /** A refresh token for oauth2TokenUrl: the refresh_token grant instead of client_credentials. Never logged. */
    public void setOauth2RefreshToken(String oauth2RefreshToken) {
        this.oauth2RefreshToken = emptyAsNull(oauth2RefreshToken);
    }

    public AccessTokenProvider getTokenProvider() {
        return tokenProvider;
    }

    /**
     * A bean (#name) implementing io.camelsendmail.AccessTokenProvider that gives the OAuth 2.0 access tokens, for any
     * other source: a Google service account, msal4j, a vault.
     */
    public void setTokenProvider(AccessTokenProvider tokenProvider) {
        this.tokenProvider = tokenProvider;
    }

    public IdempotentRepository getSuppressionRepository() {
        return suppressionRepository;
    }

    /**
     * A bean (#name), any Camel IdempotentRepository (in memory, file, JDBC, Kafka, Infinispan, Redis), holding addresses
     * never to be mailed, in lower case: the permanent failures a bounce route adds. Such a recipient is dropped before
     * MAIL FROM with the status 550 "suppressed: ..." in CamelSendmailStatuses; a message with no recipient left fails as
     * one whose every recipient was refused.
     */
    public void setSuppressionRepository(IdempotentRepository suppressionRepository) {
        this.suppressionRepository = suppressionRepository;
    }

    /** @return whether an OAuth 2.0 token, rather than a password, signs in */
    public boolean usesOAuth2() {
        return accessToken != null || oauth2TokenUrl != null || tokenProvider != null;
    }

    private static String emptyAsNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    public int getMaxInFlight() {
        return maxInFlight;
    }

    /**
     * How many transactions may be in flight together on one connection where the server offers PIPELINING: with
     * CHUNKING too, whole transactions (MAIL, RCPT, BDAT and the message) are written without waiting; with PIPELINING
     * alone, a message, its end, and the next message's MAIL, RCPT and DATA go in one write. 1 sends one message at a
     * time.
     */
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public Integer getMaxRecipientsPerMessage() {
        return maxRecipientsPerMessage;
    }

    /**
     * The most recipients one SMTP transaction carries (a provider's limit: Microsoft 365 500, Gmail 100, Amazon SES
     * 50). None by default. A message with more goes in further transactions of the same message, one exchange: same
     * bytes, same Message-ID, every recipient's status. The server's own limit (RFC 9422 LIMITS RCPTMAX), and a 452
     * "too many recipients" reply, split it the same way.
     */
    public void setMaxRecipientsPerMessage(Integer maxRecipientsPerMessage) {
        this.maxRecipientsPerMessage = maxRecipientsPerMessage;
    }

    public long getQuotaPause() {
        return quotaPause;
    }

    /**
     * Milliseconds the endpoint begins no message after the server said the sender's sending quota is used up (Amazon
     * SES "Daily message quota exceeded", Gmail "5.4.5 Daily user sending limit exceeded"). The message that got the
     * reply, those waiting, and those sent meanwhile fail as transient with the server's words, so that the route's
     * redelivery or dead letter decides; the health check is DOWN meanwhile.
     */
    public void setQuotaPause(long quotaPause) {
        this.quotaPause = quotaPause;
    }

    public Integer getMaxMessagesPerSecond() {
        return maxMessagesPerSecond;
    }

    public String getRateLimit() {
        return rateLimit;
    }

    /**
     * The most messages this endpoint begins, on all its connections together, as a rate with its unit: 30/min
     * (Microsoft 365's per-mailbox limit), 2/s, 1000/h, 2000/day; evenly spaced. None by default. maxMessagesPerSecond
     * is the same for a whole number per second; set one of the two.
     */
    public void setRateLimit(String rateLimit) {
        this.rateLimit = rateLimit;
    }

    /** @return the messages per second that rateLimit or maxMessagesPerSecond allow, or 0 for no limit */
    double messagesPerSecond() {
        if (rateLimit != null && !rateLimit.isBlank()) {
            return Rate.perSecond(rateLimit);
        }
        return maxMessagesPerSecond != null ? maxMessagesPerSecond : 0;
    }

    /**
     * The most messages this endpoint begins per second, on all its connections together, for a provider that enforces a
     * rate. None by default; rateLimit says the same with a unit (30/min). A server that says the client sends too fast
     * (a 421, 450, 451 or 454 whose text speaks of a rate, throttling or too many messages) pauses the endpoint for a
     * while in any case.
     */
    public void setMaxMessagesPerSecond(Integer maxMessagesPerSecond) {
        this.maxMessagesPerSecond = maxMessagesPerSecond;
    }

    public String getDsnNotify() {
        return dsnNotify;
    }

    /**
     * Delivery status notifications (RFC 3461): NEVER, or SUCCESS, FAILURE and DELAY comma-separated, sent as NOTIFY on
     * each RCPT TO with ORCPT naming the recipient. The header CamelSendmailDsnNotify overrides it.
     */
    public void setDsnNotify(String dsnNotify) {
        this.dsnNotify = dsnNotify;
    }

    public String getDsnRet() {
        return dsnRet;
    }

    /** What a delivery status notification returns: FULL (the message) or HDRS (its headers). Header CamelSendmailDsnRet. */
    public void setDsnRet(String dsnRet) {
        this.dsnRet = dsnRet;
    }

    public String getDsnEnvid() {
        return dsnEnvid;
    }

    /** The envelope id that delivery status notifications carry back (ENVID). Header CamelSendmailDsnEnvid. */
    public void setDsnEnvid(String dsnEnvid) {
        this.dsnEnvid = dsnEnvid;
    }

    public boolean isDsnRequired() {
        return dsnRequired;
    }

    /**
     * A message that asks for delivery status notifications fails before MAIL FROM where the server does not offer DSN
     * (true), or goes without them (false).
     */
    public void setDsnRequired(boolean dsnRequired) {
        this.dsnRequired = dsnRequired;
    }

    public String getAlternativeBody() {
        return alternativeBody;
    }

    /**
     * A plain text alternative of every String body (an HTML body, with contentType text/html): the two go as
     * multipart/alternative. The header CamelSendmailAlternativeBody gives one per message.
     */
    public void setAlternativeBody(String alternativeBody) {
        this.alternativeBody = alternativeBody;
    }

    public boolean isInlineImages() {
        return inlineImages;
    }

    /**
     * Camel attachments that are images go inline (multipart/related), with their name as Content-ID, for cid:name
     * references in an HTML body. An attachment with a Content-ID header is inline in any case.
     */
    public void setInlineImages(boolean inlineImages) {
        this.inlineImages = inlineImages;
    }
}
