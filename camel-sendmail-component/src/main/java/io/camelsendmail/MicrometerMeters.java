package io.camelsendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * An endpoint's figures as Micrometer meters, in the Micrometer registry of the Camel context (camel-micrometer's
 * {@code metricsRegistry}, or Spring Boot's). Tagged with the server. Loaded only where Micrometer is on the class
 * path (see {@link SendmailMeters}).
 */
final class MicrometerMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private MicrometerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** @return the endpoint's meters, or null where the context has no Micrometer registry */
    static AutoCloseable bind(SendmailEndpoint e) {
        MeterRegistry registry = registry(e);
        if (registry == null) {
            return null;
        }
        MicrometerMeters bound = new MicrometerMeters(registry);
        Tags server = Tags.of("server", e.getServer());
        bound.counter("camel.sendmail.messages.sent", server, e, x -> x.getMessagesSent());
        bound.counter("camel.sendmail.messages.failed", server.and("kind", "connect"), e, x -> x.getFailedConnect());
        bound.counter("camel.sendmail.messages.failed", server.and("kind", "transport_security"), e,
                x -> x.getFailedTransportSecurity());
        bound.counter("camel.sendmail.messages.failed", server.and("kind", "authentication"), e,
                x -> x.getFailedAuthentication());
        bound.counter("camel.sendmail.messages.failed", server.and("kind", "delivery"), e, x -> x.getFailedDelivery());
        bound.counter("camel.sendmail.messages.failed", server.and("kind", "invalid_message"), e,
                x -> x.getFailedInvalidMessage());
        bound.counter("camel.sendmail.recipients", server.and("result", "accepted"), e, x -> x.getRecipientsAccepted());
        bound.counter("camel.sendmail.recipients", server.and("result", "refused"), e, x -> x.getRecipientsRefused());
        bound.counter("camel.sendmail.connections.opened", server, e, x -> x.getConnectionsOpened());
        bound.counter("camel.sendmail.connections.failed", server, e, x -> x.getConnectionFailures());
        bound.gauge("camel.sendmail.connections", server.and("state", "idle"), e, x -> x.getConnectionsIdle());
        bound.gauge("camel.sendmail.connections", server.and("state", "busy"), e, x -> x.getConnectionsBusy());
        bound.gauge("camel.sendmail.messages.queued", server, e, x -> x.getMessagesQueued());
        return bound;
    }

    private static MeterRegistry registry(SendmailEndpoint e) {
        var camel = e.getCamelContext().getRegistry();
        MeterRegistry named = camel.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (named != null) {
            return named;
        }
        var all = camel.findByType(MeterRegistry.class);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        // Spring Boot: its composite registry feeds every other
        return all.stream().filter(r -> r instanceof CompositeMeterRegistry).findFirst().orElse(null);
    }

    private void counter(String name, Tags tags, SendmailEndpoint e, ToDoubleFunction<SendmailEndpoint> value) {
        meters.add(FunctionCounter.builder(name, e, value).tags(tags).register(registry));
    }

    private void gauge(String name, Tags tags, SendmailEndpoint e, ToDoubleFunction<SendmailEndpoint> value) {
        meters.add(Gauge.builder(name, e, value).tags(tags).register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
