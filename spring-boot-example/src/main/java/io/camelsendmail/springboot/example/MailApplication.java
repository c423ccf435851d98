package io.camelsendmail.springboot.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application that mails through the sendmail: starter: the SMTP server, the sign-in and the sender are
 * {@code camel.component.sendmail.*} properties (application.properties, or environment variables such as
 * {@code CAMEL_COMPONENT_SENDMAIL_PASSWORD}), not part of any endpoint URI. The actuator shows the server's health at
 * {@code /actuator/health} and the figures at {@code /actuator/metrics/camel.sendmail.messages.sent}.
 */
@SpringBootApplication
public class MailApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailApplication.class, args);
    }
}
