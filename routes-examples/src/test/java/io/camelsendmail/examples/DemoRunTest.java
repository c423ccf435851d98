package io.camelsendmail.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMail;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's first command: no server of one's own, the embedded defaults, every sample through every route. */
class DemoRunTest {

    @TempDir
    Path work;

    @Test
    void theDemoDeliversEverySampleToTheEmbeddedServer() throws Exception {
        try (RunningExamples app = RunningExamples.embedded(work, Map.of("examples.demo", "true"))) {
            GreenMail greenMail = app.context().hasService(EmbeddedSmtpServer.class).greenMail();
            // welcome.eml: 2, weekly-report.txt: 2, queue: 1, notifications: 1, order shipped: 1, REST: 2 mailbox copies;
            // the first customer notice: 2, its bounce: 1, the second notice, to frank only: 1
            await().atMost(Duration.ofSeconds(30)).until(() -> greenMail.getReceivedMessages().length == 13);
            assertThat(greenMail.getReceivedMessages()).extracting(m -> m.getSubject()).contains("Welcome aboard",
                    "Weekly report, week 48", "Parcel shipped", "Notification", "Your order A-1042 has shipped",
                    "Build 42 passed");
            assertThat(work.resolve("outbox/.sent/welcome.eml")).exists();

            // the bounce route read the embedded server's report and suppressed the address: the second notice went to
            // frank alone
            IdempotentRepository suppressions = app.context().getRegistry().lookupByNameAndType("suppressions",
                    IdempotentRepository.class);
            assertThat(suppressions.contains(EmbeddedSmtpServer.GONE)).isTrue();
            assertThat(Arrays.stream(greenMail.getReceivedMessages())
                    .filter(m -> subject(m).equals("Undelivered Mail Returned to Sender"))).hasSize(1);
            assertThat(greenMail.getUserManager().getUserByEmail(EmbeddedSmtpServer.GONE)).isNotNull();
            assertThat(greenMail.getManagers().getImapHostManager()
                    .getInbox(greenMail.getUserManager().getUserByEmail(EmbeddedSmtpServer.GONE)).getMessageCount())
                    .as("notices in the bounced address's mailbox").isEqualTo(1);
            assertThat(greenMail.getManagers().getImapHostManager()
                    .getInbox(greenMail.getUserManager().getUserByEmail("frank@example.com")).getMessageCount())
                    .as("notices in frank's mailbox").isEqualTo(2);
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return String.valueOf(m.getSubject());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
