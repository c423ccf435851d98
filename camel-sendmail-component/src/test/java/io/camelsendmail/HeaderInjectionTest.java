package io.camelsendmail;

import java.util.Map;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.SendmailRoute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A CR or LF in any header value or address from exchange headers is refused before anything is sent. */
class HeaderInjectionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Subject  | Hello\\r\\nBcc: victim@example.org",
            "Subject  | Hello\\nX-Injected: yes",
            "To       | bob@example.com\\r\\nRCPT TO:<victim@example.org>",
            "Cc       | carol@example.com\\n",
            "Bcc      | dave@example.com\\rDATA",
            "From     | alice@example.com\\r\\nRSET",
            "Reply-To | reply@example.com\\nX: y",
    })
    void lineBreakIsRefusedAndNothingIsSent(String header, String escaped) throws Exception {
        String value = escaped.replace("\\r", "\r").replace("\\n", "\n");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port()
                                                    + "?from=alice@example.com&to=bob@example.com")) {
            Exception e = route.send("hello", Map.of(header, value)).getException();

            assertThat(e).isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining(header).hasMessageContaining("CR or LF");
            assertThat(((SendmailException) e).isTransient()).isFalse();
            assertThat(server.connections()).isZero();
        }
    }
}
