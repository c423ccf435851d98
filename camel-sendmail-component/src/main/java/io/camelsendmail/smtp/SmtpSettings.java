package io.camelsendmail.smtp;

import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLSocketFactory;

/**
 * What the SMTP client needs to know of one endpoint: the server, TLS, credentials, the limits. Built by the endpoint
 * from its options when it starts.
 *
 * @param host                     the server's host name or address
 * @param port                     the server's port
 * @param implicitTls              TLS from the first byte (else STARTTLS whenever offered)
 * @param tls                      the socket factory for TLS, with the trust store that verifies the server
 * @param heloName                 the name given in EHLO/HELO
 * @param username                 the user name to sign in with, or null
 * @param password                 the password, or null (a secret: never logged, not in {@link #toString()})
 * @param tokens                   where OAuth 2.0 bearer tokens come from, instead of a password, or null
 * @param security                 when TLS is required and when credentials may be sent
 * @param connectTimeout           milliseconds to connect
 * @param timeout                  milliseconds for each reply, each write, and the TLS handshake
 * @param allowPartialDelivery     send to the recipients that were accepted when others were refused
 * @param dsnRequired              refuse a message that asks for DSN where the server does not offer it
 * @param wireLog                  log every command and reply at INFO, secrets masked
 * @param maxConnections           connections open at most
 * @param maxMessagesPerConnection messages a connection carries before it is replaced
 * @param maxInFlight              transactions in flight together on one connection, where the server offers PIPELINING
 * @param maxRecipientsPerMessage  recipients of one transaction at most (more go in further transactions), 0 for any
 * @param maxMessagesPerSecond     messages begun per second on all the endpoint's connections together (a fraction for
 *                                 30/min), 0 for no limit
 * @param idleTimeout              milliseconds a connection may sit unused
 * @param quotaPause               milliseconds no message begins after the server said the sending quota is used up
 * @param writeTimeouts            runs the timers that bound writes
 */
public record SmtpSettings(String host, int port, boolean implicitTls, SSLSocketFactory tls, String heloName,
        String username, String password, BearerTokens tokens, TransportSecurity security, int connectTimeout, int timeout,
        boolean allowPartialDelivery, boolean dsnRequired, boolean wireLog, int maxConnections, int maxMessagesPerConnection, int maxInFlight,
        int maxRecipientsPerMessage, double maxMessagesPerSecond, int idleTimeout, long quotaPause,
        ScheduledExecutorService writeTimeouts) {

    /** @return host and port as a message names the server: {@code host:port}, or {@code [v6]:port} */
    public String server() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return "SmtpSettings[" + server() + (implicitTls ? ", implicit TLS" : "") + (username != null ? tokens != null ? ", with OAuth 2.0" : ", with credentials" : "")
               + "]";
    }
}
