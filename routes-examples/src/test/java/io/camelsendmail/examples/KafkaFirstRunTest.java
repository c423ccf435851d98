package io.camelsendmail.examples;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;

import com.icegreen.greenmail.util.GreenMail;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A first run of KafkaToEmailApplication with nothing configured: it starts a broker and an SMTP server of its own, and
 * a mail put on the topic as the log says (ProduceMail) arrives.
 */
class KafkaFirstRunTest {

    @Test
    void withNoBrokerOrServerConfiguredTheApplicationStartsItsOwnAndAMailPutOnTheTopicArrives() throws Exception {
        Main main = KafkaToEmailApplication.newMain();
        main.start();
        try {
            CamelContext context = main.getCamelContext();
            GreenMail smtp = context.hasService(EmbeddedSmtpServer.class).greenMail();
            String brokers = context.resolvePropertyPlaceholders("{{kafka.bootstrap-servers}}");
            assertThat(brokers).as("a loopback broker of its own").matches("(localhost|127\\.0\\.0\\.1):\\d+");
            byte[] welcome;
            try (InputStream in = getClass().getResourceAsStream("/samples/welcome.eml")) {
                welcome = in.readAllBytes();
            }

            List<String> produced = ProduceMail.produce(brokers, "mail.outbox", List.of(welcome));

            assertThat(produced).singleElement().asString().startsWith("Produced <welcome-1@example.com> to mail.outbox");
            // welcome.eml is addressed to two recipients
            await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length == 2);
            assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("Welcome aboard");
        } finally {
            main.stop();
        }
    }
}
