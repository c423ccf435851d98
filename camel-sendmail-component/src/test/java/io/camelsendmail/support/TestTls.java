package io.camelsendmail.support;

import java.io.InputStream;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/** The test TLS material in src/test/resources/tls (see its README). */
public final class TestTls {

    public static final String PASSWORD = "changeit";

    private TestTls() {
    }

    /** Client side: trusts the test server keys (server.p12 and wrong-host.p12), nothing else. */
    public static SSLContextParameters clientTrust() {
        KeyStoreParameters trust = new KeyStoreParameters();
        trust.setResource("classpath:tls/truststore.p12");
        trust.setPassword(PASSWORD);
        trust.setType("PKCS12");
        TrustManagersParameters managers = new TrustManagersParameters();
        managers.setKeyStore(trust);
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setTrustManagers(managers);
        return parameters;
    }

    /** Server side, for a key store in tls/ such as {@code server.p12}. */
    public static SSLContext server(String keyStore) {
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/" + keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load tls/" + keyStore, e);
        }
    }
}
