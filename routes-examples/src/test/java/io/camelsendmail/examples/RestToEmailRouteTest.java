package io.camelsendmail.examples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestToEmailRouteTest {

    @TempDir
    Path work;

    private static HttpResponse<String> post(int port, String json, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mail"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aValidRequestSendsAndAnswersWithEachRecipientsStatus() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("RCPT TO:<nobody@", "550 5.1.1 unknown");
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            HttpResponse<String> response = post(app.httpPort,
                    "{\"to\": [\"bob@example.com\", \"nobody@example.com\"], \"subject\": \"Hi\", \"text\": \"Hello\"}",
                    "Bcc", "intruder@example.org", "Subject", "from a header");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"accepted\":1")
                    .contains("{\"address\":\"bob@example.com\",\"code\":250,\"response\":\"2.1.5 recipient ok\"}")
                    .contains("{\"address\":\"nobody@example.com\",\"code\":550,\"response\":\"5.1.1 unknown\"}");
            assertThat(server.commands()).noneMatch(c -> c.contains("intruder"));
            assertThat(server.messages()).singleElement().asString().contains("Subject: Hi").contains("Hello");
        }
    }

    @Test
    void badInputIsA400ThatNamesTheProblem() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            assertThat(post(app.httpPort, "not json")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.body()).contains("not JSON");
            });
            assertThat(post(app.httpPort, "{\"text\": \"who?\"}")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.body()).contains("\\\"to\\\" is required");
            });
            assertThat(post(app.httpPort, "{\"to\": \"bob@@example.com\", \"text\": \"x\"}")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.body()).contains("bob@@example.com").contains("InvalidMessageException");
            });
            assertThat(post(app.httpPort, "{\"to\": \"bob@example.com\", \"subject\": \"a\\r\\nBcc: x@example.org\", \"text\": \"x\"}"))
                    .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400));
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aRefusalByTheSmtpServerIsA502() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("MAIL", "553 5.7.1 sender not allowed");
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of())) {
            HttpResponse<String> response = post(app.httpPort, "{\"to\": \"bob@example.com\", \"text\": \"x\"}");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("553 5.7.1 sender not allowed").contains("\"transient\":false");
        }
    }

    @Test
    void withAnApiKeyARequestWithoutItIs401AndNoConnectionIsMade() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work, Map.of("http.api-key", "k-123"))) {
            String json = "{\"to\": \"bob@example.com\", \"text\": \"Hello\"}";
            HttpResponse<String> none = post(app.httpPort, json);
            HttpResponse<String> wrong = post(app.httpPort, json, "X-Api-Key", "k-124");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).contains("an X-Api-Key header is required");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(server.connections()).isZero();

            HttpResponse<String> right = post(app.httpPort, json, "X-Api-Key", "k-123");
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(server.messages()).hasSize(1);
            // the key is not mailed
            assertThat(server.messages().get(0)).doesNotContain("k-123");
        }
    }

    @Test
    void aRecipientOutsideTheAllowedDomainsIs403AndNoConnectionIsMade() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             RunningExamples app = RunningExamples.against(server.port(), work,
                     Map.of("mail.allowed-recipient-domains", "example.com, Example.org"))) {
            HttpResponse<String> outside = post(app.httpPort,
                    "{\"to\": [\"bob@example.com\", \"victim@elsewhere.net\"], \"text\": \"spam\"}");
            assertThat(outside.statusCode()).isEqualTo(403);
            assertThat(outside.body()).contains("victim@elsewhere.net is outside the domains this service may mail");
            // a subdomain is another domain
            assertThat(post(app.httpPort, "{\"to\": \"eve@mail.example.com\", \"text\": \"x\"}").statusCode()).isEqualTo(403);
            assertThat(server.connections()).isZero();

            assertThat(post(app.httpPort, "{\"to\": [\"bob@example.com\", \"carol@EXAMPLE.ORG\"], \"text\": \"ok\"}")
                    .statusCode()).isEqualTo(200);
            assertThat(server.commands()).contains("RCPT TO:<bob@example.com>", "RCPT TO:<carol@EXAMPLE.ORG>");
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutAnApiKeyIsRefusedAtStart() {
        assertThatThrownBy(() -> RunningExamples.against(25, work, Map.of("http.host", "0.0.0.0")).close())
                .satisfies(e -> assertThat(rootMessage(e)).contains("http.host is 0.0.0.0, beyond loopback: set http.api-key"));
        assertThat(EmbeddedDefaults.isLoopback("127.0.0.1")).isTrue();
        assertThat(EmbeddedDefaults.isLoopback("::1")).isTrue();
        assertThat(EmbeddedDefaults.isLoopback("localhost")).isTrue();
        assertThat(EmbeddedDefaults.isLoopback("0.0.0.0")).isFalse();
        assertThat(EmbeddedDefaults.isLoopback("192.168.1.10")).isFalse();
        assertThat(EmbeddedDefaults.isLoopback("mail.example.com")).isFalse();
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
