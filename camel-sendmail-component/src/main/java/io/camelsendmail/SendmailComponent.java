package io.camelsendmail;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.Endpoint;
import org.apache.camel.SSLContextParametersAware;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.TimeUtils;

/**
 * The {@code sendmail:} component: {@code sendmail:host[:port]?options}. Options set on the component are the
 * defaults of every endpoint it creates.
 */
@Component("sendmail")
public class SendmailComponent extends DefaultComponent implements SSLContextParametersAware {

    @Metadata(description = "Component-wide defaults for every sendmail: endpoint")
    private SendmailConfiguration configuration = new SendmailConfiguration();
    @Metadata(label = "security", defaultValue = "false",
              description = "Use the Camel context's global SSLContextParameters (camel.ssl.*) for every endpoint that "
                            + "sets no sslContextParameters of its own")
    private boolean useGlobalSslContextParameters;

    // a producer-only component: its producers' health checks, and no consumers' to switch
    @Metadata(label = "health", defaultValue = "true",
              description = "Whether the producers of this component report a health check. Camel's producer checks are "
                            + "off by default: camel.health.producersEnabled=true turns them on")
    private boolean healthCheckProducerEnabled = true;

    public boolean isHealthCheckProducerEnabled() {
        return healthCheckProducerEnabled;
    }

    /** Whether the producers of this component report a health check (camel.health.producersEnabled must be true). */
    public void setHealthCheckProducerEnabled(boolean healthCheckProducerEnabled) {
        this.healthCheckProducerEnabled = healthCheckProducerEnabled;
    }

    @Override
    public boolean isUseGlobalSslContextParameters() {
        return useGlobalSslContextParameters;
    }

    /** Use the Camel context's global SSLContextParameters (camel.ssl.*) where an endpoint sets none. */
    @Override
    public void setUseGlobalSslContextParameters(boolean useGlobalSslContextParameters) {
        this.useGlobalSslContextParameters = useGlobalSslContextParameters;
    }

    /** The connections of each endpoint URI, started on first use; see {@link EndpointConnections}. */
    private final Map<String, EndpointConnections> connections = new java.util.HashMap<>();

    /** The connections for this URI, started now where none are. */
    synchronized EndpointConnections connections(String uri, SendmailEndpoint endpoint,
            java.util.function.Function<java.util.concurrent.ScheduledExecutorService, io.camelsendmail.smtp.SmtpSettings> settings) {
        EndpointConnections shared = connections.computeIfAbsent(uri,
                u -> new EndpointConnections(endpoint, getCamelContext().getExecutorServiceManager(), settings));
        shared.use();
        return shared;
    }

    /** An endpoint that used these connections stopped: they close when no other uses them. */
    void release(String uri, EndpointConnections used) {
        synchronized (this) {
            if (!used.release()) {
                return;
            }
            connections.remove(uri, used);
        }
        used.close();
    }

    @Override
    protected void doStop() throws Exception {
        List<EndpointConnections> open;
        synchronized (this) {
            open = List.copyOf(connections.values());
            connections.clear();
        }
        // endpoints Camel made and did not register (a URI first used by several threads at once) are not stopped
        open.forEach(EndpointConnections::close);
        super.doStop();
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SendmailConfiguration config = configuration.copy();
        parseHostAndPort(remaining, config);
        Object port = parameters.remove("port");
        if (port != null && !port.toString().isBlank()) {
            // sendmail:host?port=N, as a Kamelet or a property placeholder may give it
            if (config.getPort() != null && !config.getPort().toString().equals(port.toString().trim())) {
                throw new IllegalArgumentException("sendmail: the port is given twice, " + config.getPort() + " and " + port);
            }
            setPort(port.toString().trim(), config);
        }
        checkWholeNumbers(parameters);
        SendmailEndpoint endpoint = new SendmailEndpoint(uri, this, config);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    /** The options that take a whole number, and what it counts. */
    private static final Map<String, String> WHOLE_NUMBERS = Map.of("connectTimeout", "milliseconds", "timeout", "milliseconds",
            "idleTimeout", "milliseconds", "healthCheckInterval", "milliseconds", "maxConnections", "connections",
            "maxMessagesPerConnection", "messages", "maxInFlight", "transactions", "maxMessagesPerSecond", "messages",
            "maxRecipientsPerMessage", "recipients", "quotaPause", "milliseconds");

    /**
     * A number option given as text: a whole number, or for milliseconds a duration such as {@code 5s} or
     * {@code 1m30s}; anything else is refused, naming the option and what was given (Camel's own conversion reads
     * {@code four} as 0). The parameters are left holding the number.
     */
    private static void checkWholeNumbers(Map<String, Object> parameters) {
        for (Map.Entry<String, Object> p : parameters.entrySet()) {
            String unit = WHOLE_NUMBERS.get(p.getKey());
            if (unit != null && p.getValue() instanceof String text) {
                p.setValue(String.valueOf(wholeNumber(p.getKey(), text, unit)));
            }
        }
    }

    /** The one rule for a number option given as text, in a URI or as a component property. */
    static long wholeNumber(String option, String text, String unit) {
        String t = text.trim();
        if (t.matches("[+-]?\\d{1,10}")) {
            return Long.parseLong(t);
        }
        boolean millis = "milliseconds".equals(unit);
        if (millis && !t.isEmpty() && t.matches("(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?")) {
            return TimeUtils.toMilliSeconds(t);
        }
        throw new IllegalArgumentException("sendmail: option " + option + " must be a whole number of " + unit + ", got '"
                                           + text + "'" + (millis ? " (a duration such as 5s or 1m30s is taken too)" : ""));
    }

    /**
     * Component properties from Camel Main or a properties file (camel.component.sendmail.*) reach the options through
     * Camel's conversion, which reads a number option given as {@code four} as 0: each is read again here, as written,
     * under the same rule as in a URI.
     */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        PropertiesComponent properties = getCamelContext().getPropertiesComponent();
        for (Map.Entry<String, String> option : WHOLE_NUMBERS.entrySet()) {
            String kebab = option.getKey().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
            for (String key : List.of("camel.component.sendmail." + option.getKey(), "camel.component.sendmail." + kebab)) {
                Optional<String> given = properties.resolveProperty(key);
                if (given.isPresent()) {
                    try {
                        wholeNumber(option.getKey(), given.get(), option.getValue());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                    }
                }
            }
        }
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
            setPort(portPart, config);
        }
    }

    private static void setPort(String port, SendmailConfiguration config) {
        try {
            config.setPort(Integer.valueOf(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sendmail: the port '" + port + "' is not a number", e);
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
