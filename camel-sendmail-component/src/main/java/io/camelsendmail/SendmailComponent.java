package io.camelsendmail;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code sendmail:} component: {@code sendmail:host[:port]?options}. Options set on the component are the
 * defaults of every endpoint it creates.
 */
@Component("sendmail")
public class SendmailComponent extends DefaultComponent {

    @Metadata(description = "Component-wide defaults for every sendmail: endpoint")
    private SendmailConfiguration configuration = new SendmailConfiguration();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SendmailConfiguration config = configuration.copy();
        parseHostAndPort(remaining, config);
        SendmailEndpoint endpoint = new SendmailEndpoint(uri, this, config);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    /** {@code host}, {@code host:port}, {@code [ipv6]:port} or a bare IPv6 address. */
    static void parseHostAndPort(String remaining, SendmailConfiguration config) {
        String hostPart = remaining == null ? "" : remaining.trim();
        if (hostPart.startsWith("//")) {
            hostPart = hostPart.substring(2);
        }
        String portPart = null;
        if (hostPart.startsWith("[")) {
            int close = hostPart.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("sendmail: the host '" + remaining + "' has no closing ']'");
            }
            if (close + 1 < hostPart.length()) {
                if (hostPart.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("sendmail: cannot read host and port from '" + remaining + "'");
                }
                portPart = hostPart.substring(close + 2);
            }
            hostPart = hostPart.substring(1, close);
        } else if (hostPart.indexOf(':') >= 0 && hostPart.indexOf(':') == hostPart.lastIndexOf(':')) {
            portPart = hostPart.substring(hostPart.indexOf(':') + 1);
            hostPart = hostPart.substring(0, hostPart.indexOf(':'));
        }
        if (!hostPart.isEmpty()) {
            config.setHost(hostPart);
        }
        if (portPart != null) {
            try {
                config.setPort(Integer.valueOf(portPart));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sendmail: the port '" + portPart + "' is not a number", e);
            }
        }
    }

    public SendmailConfiguration getConfiguration() {
        return configuration;
    }

    /** Component-wide defaults for every sendmail: endpoint. */
    public void setConfiguration(SendmailConfiguration configuration) {
        this.configuration = configuration;
    }
}
