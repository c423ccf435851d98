package io.camelsendmail.examples;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Camel Main, with what camel.health.* sets, shows the sendmail: producer's health check: UP, then DOWN when the server stops. */
class CamelMainHealthTest {

    @Test
    void camelMainShowsTheSendmailHealthCheckUpThenDown() throws Exception {
        ScriptedSmtpServer server = ScriptedSmtpServer.start();
        int port = server.port();
        Main main = new Main();
        // camel.health.enabled, camel.health.producersEnabled, and every check listed (not only the failing ones)
        main.configure().health().setEnabled(true);
        main.configure().health().setProducersEnabled(true);
        main.configure().health().setExposureLevel("full");
        main.addOverrideProperty("camel.main.routesIncludePattern", "classpath:no-yaml-routes/*.yaml");
        main.addOverrideProperty("camel.component.sendmail.healthCheckInterval", "100");
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:mail").to("sendmail:127.0.0.1:" + port + "?from=alice@example.com&to=bob@example.com");
            }
        });
        main.start();
        try {
            assertThat(check(main, port).getState()).isEqualTo(HealthCheck.State.UP);
            server.close();
            Thread.sleep(200);
            HealthCheck.Result down = check(main, port);
            assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(down.getMessage().orElse("")).contains("127.0.0.1:" + port);
        } finally {
            main.stop();
            server.close();
        }
    }

    private static HealthCheck.Result check(Main main, int port) {
        return HealthCheckHelper.invoke(main.getCamelContext()).stream()
                .filter(r -> r.getCheck().getId().equals("producer:sendmail-127.0.0.1:" + port)).findFirst().orElseThrow();
    }
}
