package io.camelsendmail.examples;

import jakarta.jms.ConnectionFactory;

import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the examples need around them: an SMTP server (embedded GreenMail when {@code smtp.host} is empty), a JMS
 * broker (embedded Artemis when {@code jms.url} is empty), and an HTTP server for the REST route.
 */
public final class EmbeddedDefaults implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDefaults.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        String httpHost = properties.resolveProperty("http.host").orElse("127.0.0.1");
        if (!isLoopback(httpHost) && properties.resolveProperty("http.api-key").orElse("").isBlank()) {
            // beyond loopback, POST /mail without a key would let anyone send mail through the configured account
            throw new IllegalStateException("http.host is " + httpHost + ", beyond loopback: set http.api-key "
                                            + "(HTTP_API_KEY), which every request must send as X-Api-Key");
        }
        if (properties.resolveProperty("smtp.host").orElse("").isBlank()) {
            EmbeddedSmtpServer smtp = new EmbeddedSmtpServer();
            context.addService(smtp, true, true);
            properties.addOverrideProperty("smtp.host", "127.0.0.1");
            properties.addOverrideProperty("smtp.port", String.valueOf(smtp.port()));
            LOG.info("No smtp.host configured: sending to the embedded SMTP server on 127.0.0.1:{}", smtp.port());
            if (properties.resolveProperty("bounces.mailbox-uri").orElse("").isBlank()) {
                // the sender's mailbox, where the embedded server's bounces go, over its IMAP
                properties.addOverrideProperty("bounces.mailbox-uri", "imap://127.0.0.1:" + smtp.imapPort() + "?username="
                                                                     + EmbeddedSmtpServer.SENDER + "&password="
                                                                     + EmbeddedSmtpServer.SENDER_PASSWORD);
            }
        }
        context.getRegistry().bind("jms", JmsComponent.jmsComponent(connectionFactory(context, properties)));

        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost(httpHost);
        http.setBindPort(Integer.parseInt(properties.resolveProperty("http.port").orElse("8080")));
        context.addService(new VertxPlatformHttpServer(http), true, true);
    }

    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            // a literal address only: a name is not looked up here
            return host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?") && java.net.InetAddress.getByName(host.replaceAll("[\\[\\]]", ""))
                    .isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static ConnectionFactory connectionFactory(CamelContext context, PropertiesComponent properties)
            throws Exception {
        String url = properties.resolveProperty("jms.url").orElse("");
        String user = properties.resolveProperty("jms.username").orElse("");
        String password = properties.resolveProperty("jms.password").orElse("");
        if (!url.isBlank()) {
            return user.isBlank() ? new ActiveMQConnectionFactory(url) : new ActiveMQConnectionFactory(url, user, password);
        }
        String dataDir = properties.resolveProperty("jms.embedded.data-dir").orElse("target/artemis");
        EmbeddedBroker broker = new EmbeddedBroker(dataDir);
        context.addService(broker, true, true);
        LOG.info("No jms.url configured: using the embedded Artemis broker (journal in {})", dataDir);
        return new ActiveMQConnectionFactory("vm://0");
    }

    /** An Artemis broker inside this JVM, persistent, reachable as vm://0. */
    static final class EmbeddedBroker extends ServiceSupport {
        private final EmbeddedActiveMQ broker = new EmbeddedActiveMQ();

        EmbeddedBroker(String dataDir) throws Exception {
            ConfigurationImpl config = new ConfigurationImpl();
            config.setPersistenceEnabled(true);
            config.setSecurityEnabled(false);
            config.setJournalDirectory(dataDir + "/journal");
            config.setBindingsDirectory(dataDir + "/bindings");
            config.setLargeMessagesDirectory(dataDir + "/large");
            config.setPagingDirectory(dataDir + "/paging");
            config.addAcceptorConfiguration("in-vm", "vm://0");
            // where the broker puts a message it cannot deliver or that expired, as a production broker is set up (and
            // without which it warns for every queue)
            config.addAddressSetting("#", new AddressSettings().setDeadLetterAddress(SimpleString.of("DLQ"))
                    .setExpiryAddress(SimpleString.of("ExpiryQueue")));
            broker.setConfiguration(config);
            // start now: the JMS routes connect while the context starts
            broker.start();
        }

        @Override
        protected void doStop() throws Exception {
            broker.stop();
            // the in-VM connector and the client keep thread pools of their own, not daemon threads: without this the
            // JVM of a finished demo stays up for a minute after its last line
            InVMConnector.resetThreadPool();
            ActiveMQClient.clearThreadPools();
        }
    }
}
