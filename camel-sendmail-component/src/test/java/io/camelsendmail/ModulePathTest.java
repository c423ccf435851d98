package io.camelsendmail;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.camelsendmail.support.ModulePathCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The component as a named module (its module-info compiled) on the module path, with Angus Mail a module that is not
 * opened to it: pipelining, BDAT, the reply limits and the STARTTLS injection check all work, since nothing reaches into
 * another module. Runs {@link ModulePathCheck} in a JVM of its own.
 */
class ModulePathTest {

    /** The modules the component requires, and the mail providers; everything else stays on the class path. */
    private static final List<Class<?>> MODULE_PATH = List.of(
            SendmailComponent.class, org.apache.camel.CamelContext.class, org.apache.camel.support.DefaultComponent.class,
            org.apache.camel.util.ObjectHelper.class, org.apache.camel.attachment.AttachmentMessage.class,
            org.apache.camel.impl.health.AbstractHealthCheck.class, org.apache.camel.api.management.ManagedResource.class,
            org.apache.camel.util.json.JsonObject.class, jakarta.mail.Session.class, jakarta.activation.DataHandler.class,
            org.slf4j.Logger.class);

    @Test
    void theComponentWorksAsANamedModuleWithAngusMailNotOpened() throws Exception {
        Set<String> modulePath = new LinkedHashSet<>();
        for (Class<?> type : MODULE_PATH) {
            modulePath.add(location(type));
        }
        List<String> testClassPath = Arrays.asList(
                Files.readString(Path.of("target", "test-class-path.txt"), StandardCharsets.UTF_8).trim().split(File.pathSeparator));
        for (String jar : testClassPath) {
            // Jakarta Mail's and Activation's providers, as modules, and the OAuth 2.0 client the component requires
            if (jar.contains("angus-mail") || jar.contains("angus-activation") || jar.contains("oauth2-oidc-sdk")) {
                modulePath.add(jar);
            }
        }
        List<String> classPath = new ArrayList<>();
        classPath.add(location(ModulePathCheck.class));
        testClassPath.stream().filter(jar -> !modulePath.contains(jar)).forEach(classPath::add);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(),
                "--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "ALL-MODULE-PATH",
                "-cp", String.join(File.pathSeparator, classPath),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                // its own log to its output, which the test reads: not into target/test.log, which this JVM writes
                "-Dorg.slf4j.simpleLogger.logFile=System.err",
                ModulePathCheck.class.getName()).redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(output).as(output).contains("ALL CHECKS HELD").doesNotContain("FAILED");
        assertThat(output).contains("held: a STARTTLS injection is refused", "held: MAIL, RCPT and DATA were pipelined",
                "held: an endless reply line is cut off at 8192 characters", "held: Angus Mail is not opened to it");
        assertThat(process.exitValue()).isZero();
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
