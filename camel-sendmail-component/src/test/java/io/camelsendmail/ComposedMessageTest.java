package io.camelsendmail;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Properties;

import jakarta.mail.Session;

import io.camelsendmail.message.ComposedMessage;
import io.camelsendmail.message.MessageComposer;

import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A composed text message is written byte for byte as Jakarta Mail writes it, without its provider lookups. */
class ComposedMessageTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "plain ASCII text\nwith two lines",
            "Grüße aus Köln, mostly ASCII: quoted-printable",
            "日本語のテキストはbase64になります。日本語のテキスト",
            "a line that is much longer than seventy-six characters, which quoted-printable has to break somewhere é",
            ".a dot at the start\r\n.and CRLF line ends\r\n",
    })
    void writesWhatJakartaMailWrites(String text) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.mime.allowutf8", "true");
        SendmailConfiguration configuration = new SendmailConfiguration();
        configuration.setFrom("alice@example.com");
        configuration.setTo("zoë@example.com");
        configuration.setSubject("Grüße");
        MessageComposer composer = new MessageComposer(configuration, Session.getInstance(properties));
        try (CamelContext context = new DefaultCamelContext()) {
            Message in = new DefaultExchange(context).getMessage();
            in.setBody(text);
            in.setHeaders(Map.of());
            ComposedMessage message = (ComposedMessage) composer.compose(in).message();

            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            message.writeTo(ours, new String[] { "Bcc" });
            ByteArrayOutputStream jakarta = new ByteArrayOutputStream();
            message.writeAsJakartaMailDoes(jakarta, new String[] { "Bcc" });

            assertThat(ours.toByteArray()).isEqualTo(jakarta.toByteArray());
            assertThat(ours.size()).isGreaterThan(text.length() / 2);
        }
    }
}
