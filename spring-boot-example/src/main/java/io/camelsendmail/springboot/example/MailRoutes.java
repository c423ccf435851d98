package io.camelsendmail.springboot.example;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * Two ways in: {@code direct:notify} for the application's own code (a text body, the To and Subject headers), and a
 * folder of {@code .eml} files, each a complete message. Both end in {@code sendmail:{{mail.host}}}: every other
 * option comes from {@code camel.component.sendmail.*}.
 */
@Component
public class MailRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:notify").routeId("notify")
                .to("sendmail:{{mail.host}}")
                .log("Mail ${header.CamelSendmailMessageId} accepted for ${header.CamelSendmailAccepted} recipient(s)");

        from("file:{{mail.outbox}}?include=.*\\.eml&move=.sent&moveFailed=.failed").routeId("outbox")
                .to("sendmail:{{mail.host}}")
                .log("Sent ${header.CamelFileName}: ${header.CamelSendmailStatuses}");
    }
}
