package io.camelsendmail.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
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
            // welcome.eml: 2, weekly-report.txt: 2, queue: 1, notifications: 1, order shipped: 1, REST: 2 mailbox copies
            await().atMost(Duration.ofSeconds(30)).until(() -> greenMail.getReceivedMessages().length == 9);
            assertThat(greenMail.getReceivedMessages()).extracting(m -> m.getSubject()).contains("Welcome aboard",
                    "Weekly report, week 48", "Parcel shipped", "Notification", "Your order A-1042 has shipped",
                    "Build 42 passed");
            assertThat(work.resolve("outbox/.sent/welcome.eml")).exists();
        }
    }
}
