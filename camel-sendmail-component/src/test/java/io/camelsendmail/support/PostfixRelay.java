package io.camelsendmail.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Postfix relay of the test's own (the Debian package's programs, a configuration in a temporary folder): its
 * {@code smtpd} on a loopback port, its {@code smtp} client relaying each domain to a loopback port the test names, and
 * its bounce daemon writing real delivery status notifications. Postfix's master runs as root.
 */
public final class PostfixRelay implements AutoCloseable {

    private final Process process;
    private final Path conf;
    private final int port;

    private PostfixRelay(Process process, Path conf, int port) {
        this.process = process;
        this.conf = conf;
        this.port = port;
    }

    /** @return why this machine cannot run one, or null when it can */
    public static String unavailable() {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix")) || !Files.isRegularFile(Path.of("/etc/postfix/master.cf"))) {
            return "the Debian package postfix is not installed";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "Postfix's master must be started as root";
        }
        return null;
    }

    /**
     * @param work   a folder of the test's
     * @param routes each domain the relay takes mail for, and the loopback port it relays that domain's mail to
     */
    public static PostfixRelay start(Path work, Map<String, Integer> routes) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
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
        String transports = routes.entrySet().stream().map(e -> e.getKey() + "=smtp:[127.0.0.1]:" + e.getValue())
                .collect(Collectors.joining(", "));
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + queue,
                "data_directory = " + data,
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = relay.test",
                "mydestination =",
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "relay_domains = " + String.join(", ", routes.keySet()),
                "transport_maps = inline:{ " + transports + " }",
                "smtpd_recipient_restrictions = permit_mynetworks, reject",
                "smtp_tls_security_level = none",
                "smtp_dns_support_level = disabled",
                "alias_maps =",
                "alias_database =",
                "smtputf8_enable = no",
                "maillog_file = /dev/stdout",
                "") + "\n");
        run("postconf", "-c", conf.toString(), "-F", "*/*/chroot = n");
        run("postconf", "-c", conf.toString(), "-M", "smtp/inet=127.0.0.1:" + port + " inet n - n - - smtpd");
        Process process = new ProcessBuilder("env", "MAIL_CONFIG=" + conf, "/usr/sbin/postfix", "-c", conf.toString(),
                "start-fg").redirectErrorStream(true).redirectOutput(work.resolve("postfix.log").toFile()).start();
        PostfixRelay relay = new PostfixRelay(process, conf, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return relay;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    relay.close();
                    throw new IOException("Postfix did not open port " + port + ": " + Files.readString(work.resolve("postfix.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    public int port() {
        return port;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        try {
            run("postfix", "-c", conf.toString(), "stop");
        } catch (IOException | InterruptedException e) {
            // the processes are ended below in any case
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
