package io.camelsendmail.support;

import java.util.ArrayList;
import java.util.List;

import io.camelsendmail.SendmailComponent;
import io.camelsendmail.SendmailException;
import io.camelsendmail.TransportSecurityRequiredException;
import org.apache.camel.Exchange;

/**
 * Run by ModulePathTest in a JVM where the component is a named module on the module path, and Angus Mail is not
 * opened to it: sends through the engine's every path that once reached into Angus Mail, and prints one line per
 * check. Exits 0 when every check held.
 */
public final class ModulePathCheck {

    private static final String MAIL = "?from=alice@example.com&to=bob@example.com";
    private static final List<String> FAILED = new ArrayList<>();

    private ModulePathCheck() {
    }

    public static void main(String[] args) throws Exception {
        Module module = SendmailComponent.class.getModule();
        check("the component is the named module io.camelsendmail", "io.camelsendmail".equals(module.getName()));
        check("io.camelsendmail is exported", module.isExported("io.camelsendmail"));
        check("io.camelsendmail.smtp is not exported", !module.isExported("io.camelsendmail.smtp"));
        check("io.camelsendmail.message is not exported", !module.isExported("io.camelsendmail.message"));
        check("Angus Mail is not opened to it", !jakarta.mail.Session.class.getModule().isOpen("jakarta.mail", module));

        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("PIPELINING", "SIZE 100000").pauseBefore("MAIL", 150);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exchange exchange = route.send("pipelined on the module path");
            check("a pipelined message is delivered", exchange.getException() == null && server.messages().size() == 1);
            check("MAIL, RCPT and DATA were pipelined", server.received().stream()
                    .filter(r -> r.line().startsWith("RCPT") || r.line().equals("DATA")).allMatch(ScriptedSmtpServer.Received::batched));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().extensions("CHUNKING");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            check("a chunked message is delivered with BDAT",
                    route.send("chunked").getException() == null && server.sawCommand("BDAT") && server.messages().size() == 1);
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start().on("EHLO", ScriptedSmtpServer.ENDLESS_LINE);
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL)) {
            Exception e = route.send("hello").getException();
            check("an endless reply line is cut off at 8192 characters",
                    e instanceof SendmailException && e.getMessage().contains("longer than 8192"));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.withStartTls(TestTls.server("server.p12"))
                .extensions("AUTH PLAIN LOGIN").on("STARTTLS", "220 2.0.0 go ahead\r\n250-injected\r\n250 AUTH PLAIN");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + MAIL
                                                    + "&sslContextParameters=#tls&username=alice&password=s3cret")) {
            Exception e = route.send("secret").getException();
            check("a STARTTLS injection is refused", e instanceof TransportSecurityRequiredException
                                                     && e.getMessage().contains("STARTTLS injection")
                                                     && server.commands().equals(List.of("EHLO localhost", "STARTTLS")));
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start()
                .on("MAIL", ScriptedSmtpServer.DRIP + "250 2.1.0 sender ok, eventually, one byte at a time");
             SendmailRoute route = SendmailRoute.to("sendmail:127.0.0.1:" + server.port() + MAIL + "&timeout=1000")) {
            Exception e = route.send("hello").getException();
            check("a dripped reply times out as a whole", e instanceof SendmailException && e.getMessage().contains("timed out"));
        }
        try (TokenEndpoint tokens = TokenEndpoint.start();
             ScriptedSmtpServer server = tokens.bearerServer("alice@example.com", "OAUTHBEARER");
             SendmailRoute route = SendmailRoute.to("sendmail:localhost:" + server.port() + MAIL
                                                    + "&sslContextParameters=#tls&username=alice@example.com&oauth2TokenUrl="
                                                    + tokens.url() + "&oauth2ClientId=" + TokenEndpoint.CLIENT_ID
                                                    + "&oauth2ClientSecret=" + TokenEndpoint.CLIENT_SECRET)) {
            check("OAuth 2.0 client credentials sign in with OAUTHBEARER",
                    route.send("signed in").getException() == null && tokens.requests() == 1 && server.messages().size() == 1);
        }
        System.out.println(FAILED.isEmpty() ? "ALL CHECKS HELD" : "FAILED: " + FAILED);
        System.exit(FAILED.isEmpty() ? 0 : 1);
    }

    private static void check(String what, boolean held) {
        System.out.println((held ? "held: " : "FAILED: ") + what);
        if (!held) {
            FAILED.add(what);
        }
    }
}
