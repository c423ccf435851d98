package io.camelsendmail.examples;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import io.camelsendmail.support.ScriptedSmtpServer;
import io.camelsendmail.support.TestTls;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's routes, run as written. Only what points outside the test is replaced: the SMTP server
 * (smtp.example.com:587 becomes a loopback server with STARTTLS and AUTH), the outbox folder, and the DKIM key path.
 * The JMS queue of the YAML route is served by an in-memory component under the name jms.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path work;

    private static List<String> blocks(String language) throws Exception {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static ScriptedSmtpServer tlsServer() throws Exception {
        return ScriptedSmtpServer.withStartTls(TestTls.server("server.p12")).extensions("AUTH PLAIN", "DSN");
    }

    private static String local(String snippet, ScriptedSmtpServer server) {
        // the test certificate is for localhost
        return snippet.replace("smtp.example.com:587", "localhost:" + server.port());
    }

    private static CamelContext context() {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().addInitialProperty("smtp.password", "s3cret");
        return context;
    }

    @Test
    void theJavaRouteSendsEachTextFileAsTheTextOfAMail() throws Exception {
        List<String> java = blocks("java");
        assertThat(java).hasSize(1);
        Path outbox = Files.createDirectories(work.resolve("outbox"));
        try (ScriptedSmtpServer server = tlsServer()) {
            String source = "package readme;\npublic class ReadmeRoute extends org.apache.camel.builder.RouteBuilder {\n"
                            + "    @Override\n    public void configure() {\n"
                            + local(java.get(0), server).replace("file:outbox", "file:" + outbox.toString().replace('\\', '/'))
                            + "    }\n}\n";
            CamelContext context = context();
            context.addRoutes(compile(source));
            context.start();
            try {
                Files.writeString(outbox.resolve("q3-figures.txt"), "Note: revenue is up 5%\nCosts: flat\n");
                await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(outbox.resolve(".sent/q3-figures.txt")));
            } finally {
                context.stop();
            }
            String mail = server.messages().get(0);
            assertThat(mail.split("\r\n\r\n", 2)[0]).contains("Subject: q3-figures", "From: reports@example.com",
                    "To: team@example.com").doesNotContain("Note:");
            assertThat(server.bodies().get(0)).isEqualTo("Note: revenue is up 5%\r\nCosts: flat");
            assertThat(server.received()).filteredOn(r -> r.line().startsWith("AUTH")).isNotEmpty()
                    .allMatch(ScriptedSmtpServer.Received::tls);
        }
    }

    @Test
    void theBounceRouteSuppressesEachPermanentFailure() throws Exception {
        String route = blocks("yaml").stream().filter(b -> b.contains("ref: deliveryReport")).findFirst().orElseThrow();
        // the bounce mailbox becomes a direct endpoint; the rest runs as written
        String local = route.replaceFirst("uri: imaps:[^\\n]*", "uri: direct:bounces");
        CamelContext context = context();
        MemoryIdempotentRepository suppressions = new MemoryIdempotentRepository();
        context.getRegistry().bind("suppressions", suppressions);
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("bounces.camel.yaml", local));
        context.start();
        try (InputStream bounce = getClass().getResourceAsStream("/bounces/postfix-dsn.eml")) {
            context.createProducerTemplate().sendBody("direct:bounces", bounce.readAllBytes());
            // alice failed for good (5.1.1); bob's delay is no reason to stop mailing him (a memory repository forgets
            // when its route stops: asked before)
            assertThat(suppressions.getCache()).containsOnlyKeys("alice@example.org");
        } finally {
            context.stop();
        }
    }

    @Test
    void theYamlRouteMailsEachQueuedMessage() throws Exception {
        String route = blocks("yaml").stream().filter(b -> b.startsWith("- route:")).findFirst().orElseThrow();
        try (ScriptedSmtpServer server = tlsServer()) {
            CamelContext context = context();
            context.addComponent("jms", new SedaComponent());
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("readme.camel.yaml", local(route, server)));
            context.start();
            try {
                context.createProducerTemplate().sendBody("jms:queue:notifications", "disk almost full");
                await().atMost(Duration.ofSeconds(20)).until(() -> server.messages().size() == 1);
            } finally {
                context.stop();
            }
            // with DSN offered, every message names itself in ENVID, and each recipient in ORCPT
            assertThat(server.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alerts@example.com> ENVID="))
                    .contains("RCPT TO:<oncall@example.com> ORCPT=rfc822;oncall@example.com");
            assertThat(server.bodies().get(0)).isEqualTo("disk almost full");
        }
    }

    @Test
    void theNotificationStepsSendHtmlWithUnsubscribeDsnAndDkim() throws Exception {
        String steps = blocks("yaml").stream().filter(b -> b.contains("dkimSelector")).findFirst().orElseThrow();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path key = Files.writeString(work.resolve("dkim.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        try (ScriptedSmtpServer server = tlsServer()) {
            String route = "- route:\n    from:\n      uri: direct:readme\n      steps:\n"
                           + local(steps, server).replace("/etc/camel/dkim.pem", key.toString().replace('\\', '/'));
            CamelContext context = context();
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("readme.camel.yaml", route));
            context.start();
            try {
                context.createProducerTemplate().sendBodyAndHeaders("direct:readme", "<p>Our <b>news</b></p>",
                        java.util.Map.of("subscriberId", "42", "To", "carol@example.com"));
            } finally {
                context.stop();
            }
            String mail = server.messages().get(0);
            assertThat(mail).startsWith("DKIM-Signature: v=1; a=rsa-sha256;")
                    .contains("List-Unsubscribe: <https://example.com/unsubscribe/42>")
                    .contains("multipart/alternative").contains("text/html").contains("Our news, in plain text");
            assertThat(server.commands()).anyMatch(c -> c.startsWith("RCPT TO:<carol@example.com> NOTIFY=FAILURE"));
        }
    }

    /** Compiles a route class against this module's test class path and loads it. */
    private RoutesBuilder compile(String source) throws Exception {
        Path src = Files.createDirectories(work.resolve("src/readme"));
        Files.writeString(src.resolve("ReadmeRoute.java"), source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        String classPath = String.join(File.pathSeparator, "target/classes", "target/test-classes",
                Files.readString(Path.of("target/test-class-path.txt"), StandardCharsets.UTF_8).strip());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int result = javac.run(null, null, null, "-d", classes.toString(), "-cp", classPath,
                src.resolve("ReadmeRoute.java").toString());
        assertThat(result).as("the README's Java snippet compiles:\n" + source).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[] { classes.toUri().toURL() }, getClass().getClassLoader());
        return (RoutesBuilder) loader.loadClass("readme.ReadmeRoute").getDeclaredConstructor().newInstance();
    }
}
