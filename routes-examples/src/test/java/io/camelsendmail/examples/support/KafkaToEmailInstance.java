package io.camelsendmail.examples.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of KafkaToEmailApplication in a JVM of its own, with its output in a log file. Its SMTP greeting names
 * it ({@code kafka.instance-name}), so that the server can tell which instance sent what.
 */
public final class KafkaToEmailInstance implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private KafkaToEmailInstance(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * @param classPath  the class path of the routes-examples application and its dependencies
     * @param properties application properties, as system properties of the instance's JVM
     */
    public static KafkaToEmailInstance start(String name, String classPath, Path logDir, Map<String, String> properties)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-Dkafka.instance-name=" + name);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(classPath);
        command.add("io.camelsendmail.examples.KafkaToEmailApplication");
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return new KafkaToEmailInstance(name, builder.start(), log);
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the JVM at once (SIGKILL): no shutdown hook, no commit, no QUIT. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** @return the lines of the instance's output that contain {@code text} */
    public List<String> linesWith(String text) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains(text)).toList();
    }

    /** The last lines of the instance's output, for a failure's message. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return name + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return name + ": no log (" + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
