package io.camelsendmail;

import java.util.concurrent.ThreadPoolExecutor;

import io.camelsendmail.smtp.SmtpSettings;
import io.camelsendmail.smtp.TransportSecurity;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The threads an endpoint's connections run on, as Camel's executor service manager makes and bounds them. */
class EndpointConnectionsTest {

    @Test
    void theRoutesGoOnInABoundedPoolOfCamelsDefaultProfileThatRunsAFullQueueInTheCallersThread() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            EndpointConnections connections = new EndpointConnections(this, context.getExecutorServiceManager(),
                    writeTimeouts -> new SmtpSettings("mx.test", 25, false, null, "client.test", null, null, null,
                            new TransportSecurity(false, false, false, false), 1000, 1000, true, false, false, 1, 100,
                            8, 0, 0, 30_000, 900_000, writeTimeouts));
            try {
                ThreadPoolProfile profile = context.getExecutorServiceManager().getDefaultThreadPoolProfile();
                // a cached pool would grow a thread for every message a slow route holds
                assertThat(connections.completions()).isInstanceOf(ThreadPoolExecutor.class);
                ThreadPoolExecutor completions = (ThreadPoolExecutor) connections.completions();
                assertThat(completions.getMaximumPoolSize()).isEqualTo(profile.getMaxPoolSize()).isLessThan(1000);
                assertThat(completions.getQueue().remainingCapacity()).isEqualTo(profile.getMaxQueueSize());
                // a full queue slows the connection down; no completion is rejected and lost
                assertThat(completions.getRejectedExecutionHandler()).isInstanceOf(ThreadPoolExecutor.CallerRunsPolicy.class);
            } finally {
                connections.close();
            }
        }
    }
}
