package io.camelsendmail.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FileToEmailRouteTest {

    private static final String EML = "From: alice@example.com\nTo: bob@example.com\nSubject: eml\n\nraw body\n";

    @TempDir
    Path work;

    private Path outbox() {
        return work.resolve("outbox");
    }

    /** Writes a file the way a careful producer does: elsewhere first, then moved in. */
    private Path drop(String name, String content) throws Exception {
        Files.createDirectories(outbox());
        Path staging = Files.writeString(work.resolve(name), content);
        return Files.move(staging, outbox().resolve(name));
    }

    @Test
    void emlAndTxtAreSentAndMovedToSent() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            drop("report.txt.headers", "To: carol@example.com, dave@example.com\nSubject: Q3 numbers\nX-Ignored: y\n");
            drop("report.txt", "Revenue up.\n");
            drop("hello.eml", EML);

            await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(outbox().resolve(".sent/report.txt"))
                                                               && Files.exists(outbox().resolve(".sent/hello.eml")));
            assertThat(server.commands()).contains("RCPT TO:<bob@example.com>", "RCPT TO:<carol@example.com>",
                    "RCPT TO:<dave@example.com>");
            assertThat(server.messages()).anySatisfy(m -> assertThat(m).contains("Subject: Q3 numbers")
                    .contains("Revenue up.").doesNotContain("X-Ignored"));
            assertThat(server.messages()).anySatisfy(m -> assertThat(m).contains("Subject: eml").contains("raw body"));
            assertThat(outbox().resolve(".sent/report.txt.headers")).exists();
            assertThat(outbox().resolve("report.txt")).doesNotExist();
        }
    }

    @Test
    void aTxtWithoutSidecarGoesToTheDefaultRecipients() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of("mail.default-to", "ops@example.com"))) {
            drop("disk-alert.txt", "disk full");
            await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 1);
            assertThat(server.commands()).contains("RCPT TO:<ops@example.com>");
            assertThat(server.messages().get(0)).contains("Subject: disk-alert");
        }
    }

    @Test
    void aRefusedFileMovesToFailedWithTheReasonBesideIt() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT", "550 5.1.1 mailbox unknown");
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            drop("bounce.eml", EML);

            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox().resolve(".failed/bounce.eml")));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(outbox().resolve(".failed/bounce.eml.reason")));
            assertThat(Files.readString(outbox().resolve(".failed/bounce.eml.reason")))
                    .contains("SmtpDeliveryException").contains("550 5.1.1 mailbox unknown");
            assertThat(Files.readString(outbox().resolve(".failed/bounce.eml"))).isEqualTo(EML);
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void nothingIsSentTwiceAcrossARestart() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
            FileTime modified;
            try (RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
                Path file = drop("once.eml", EML);
                modified = Files.getLastModifiedTime(file);
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox().resolve(".sent/once.eml")));
            }
            assertThat(server.messages()).hasSize(1);
            // the same file (name, size, time) put back, as a crash between send and move would leave it
            Path again = drop("once.eml", EML);
            Files.setLastModifiedTime(again, modified);
            try (RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
                drop("next.eml", EML.replace("Subject: eml", "Subject: next"));
                await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 2);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> server.messages().size() == 2);
            }
            assertThat(server.messages().get(1)).contains("Subject: next");
        }
    }
}
