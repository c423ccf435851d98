package io.camelsendmail.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Postfix instance of the benchmark's own (the Debian package's programs, a configuration in a temporary folder):
 * its real {@code smtpd}, which offers PIPELINING and CHUNKING, on a loopback port, handing every message it accepts
 * to the {@code discard} transport. Its log goes to its standard output, where {@link SinkProcess} counts the
 * deliveries. Postfix's master runs as root.
 */
final class PostfixInstance {

    private PostfixInstance() {
    }

    /** @return why this machine cannot run one, or null when it can */
    static String unavailable() {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix")) || !Files.isRegularFile(Path.of("/etc/postfix/master.cf"))) {
            return "the Debian package postfix is not installed";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "Postfix's master must be started as root";
        }
        return null;
    }

    static SinkProcess start(Path work, int port) throws IOException, InterruptedException {
        Path dir = work.resolve("postfix");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        // Postfix's own user reaches its folders, and owns the one it writes its lock and caches in
        for (Path open : List.of(work, dir, conf, queue)) {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setOwner(data, data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix"));
        Files.copy(Path.of("/etc/postfix/master.cf"), conf.resolve("master.cf"));
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + queue,
                "data_directory = " + data,
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = bench.example",
                "mydestination =",
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                // the benchmark's recipients are at example.com: accepted from loopback, then discarded
                "relay_domains = example.com",
                "default_transport = discard",
                "relay_transport = discard",
                "local_transport = discard",
                "smtpd_recipient_restrictions = permit_mynetworks, reject",
                "smtpd_client_connection_count_limit = 0",
                "alias_maps =",
                "alias_database =",
                "smtputf8_enable = no",
                "maillog_file = /dev/stdout",
                "") + "\n");
        run("postconf", "-c", conf.toString(), "-F", "*/*/chroot = n");
        run("postconf", "-c", conf.toString(), "-M", "smtp/inet=127.0.0.1:" + port + " inet n - n - - smtpd");
        List<String> command = new ArrayList<>(List.of("env", "MAIL_CONFIG=" + conf, "/usr/sbin/postfix", "-c", conf.toString(),
                "start-fg"));
        return SinkProcess.start("postfix", command, port, work.resolve("postfix.log"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
