package io.camelsendmail;

/**
 * Binds an endpoint's figures to Micrometer where Micrometer is on the class path, and does nothing where it is not:
 * no Micrometer type is named here, so this class loads without it.
 */
final class SendmailMeters {

    private static final boolean MICROMETER = present();

    private SendmailMeters() {
    }

    private static boolean present() {
        try {
            Class<?> registry = Class.forName("io.micrometer.core.instrument.MeterRegistry", false,
                    SendmailMeters.class.getClassLoader());
            // on the module path, Micrometer must be a module too (read through requires static micrometer.core)
            return SendmailMeters.class.getModule().canRead(registry.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return the meters bound for the endpoint, to be closed when it stops; null without Micrometer or its registry */
    static AutoCloseable bind(SendmailEndpoint endpoint) {
        return MICROMETER ? MicrometerMeters.bind(endpoint) : null;
    }
}
