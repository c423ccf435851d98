package io.camelsendmail.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * File to email. In {@code files.outbox}: an {@code .eml} file is a complete message and is sent as it is; a
 * {@code .txt} file is the text of a new message, addressed by its sidecar {@code NAME.txt.headers} (lines such as
 * {@code To: bob@example.com} and {@code Subject: ...}) or else to {@code mail.default-to}. A sent file moves to
 * {@code .sent}; a failed one to {@code .failed}, with the reason in {@code NAME.reason} beside it. An idempotent
 * repository in {@code .sent} keeps a file from being sent twice across restarts.
 */
public final class FileToEmailRoute extends RouteBuilder {

    static final String SIDECAR = ".headers";
    private static final Set<String> SIDECAR_HEADERS = Set.of("from", "to", "cc", "bcc", "reply-to", "subject");

    @Override
    public void configure() {
        String outbox = getContext().resolvePropertyPlaceholders("{{files.outbox}}");
        // keys of files already sent, kept across restarts beside the sent files
        bindToRegistry("fileIdempotentRepository", FileIdempotentRepository.fileIdempotentRepository(
                Path.of(outbox, ".sent", ".sent-keys").toFile(), 100_000));
        from("file:{{files.outbox}}?include=.*\\.(eml|txt)&move=.sent&moveFailed=.failed"
             + "&readLock=changed&readLockMinAge=200&readLockCheckInterval=100"
             + "&idempotent=true&idempotentKey=${file:name}-${file:size}-${file:modified}"
             + "&idempotentRepository=#fileIdempotentRepository")
                .routeId("file-to-email")
                .onException(Exception.class)
                    .process(e -> recordFailure(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)))
                    .log("Not sent: ${header.CamelFileName}, moved to .failed: ${exception.message}")
                .end()
                .choice()
                    .when(header(Exchange.FILE_NAME_ONLY).endsWith(".txt"))
                        .process(FileToEmailRoute::addressText)
                .end()
                .to("{{mail.endpoint}}")
                .process(e -> moveSidecar(e, ".sent"))
                .process(e -> log.info("Sent file {}: {}", e.getMessage().getHeader(Exchange.FILE_NAME),
                        SendResult.of(e)));
    }

    /** A .txt file: its text becomes a String body; its sidecar (or the defaults) names recipients and subject. */
    private static void addressText(Exchange exchange) throws IOException {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        exchange.getMessage().setBody(Files.readString(file, StandardCharsets.UTF_8));
        String name = file.getFileName().toString();
        exchange.getMessage().setHeader("Subject", name.substring(0, name.length() - 4));
        exchange.getMessage().setHeader("To", exchange.getContext().resolvePropertyPlaceholders("{{mail.default-to}}"));
        Path sidecar = file.resolveSibling(name + SIDECAR);
        if (Files.exists(sidecar)) {
            for (String line : Files.readAllLines(sidecar, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0 && SIDECAR_HEADERS.contains(line.substring(0, colon).trim().toLowerCase(Locale.ROOT))) {
                    exchange.getMessage().setHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        }
    }

    private static void recordFailure(Exchange exchange, Exception cause) throws IOException {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Path failed = Files.createDirectories(file.resolveSibling(".failed"));
        Files.writeString(failed.resolve(file.getFileName() + ".reason"),
                (cause == null ? "unknown" : cause.getClass().getName() + ": " + cause.getMessage()) + "\n",
                StandardCharsets.UTF_8);
        moveSidecar(exchange, ".failed");
    }

    private static void moveSidecar(Exchange exchange, String folder) throws IOException {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Path sidecar = file.resolveSibling(file.getFileName() + SIDECAR);
        if (Files.exists(sidecar)) {
            Path target = Files.createDirectories(file.resolveSibling(folder));
            Files.move(sidecar, target.resolve(sidecar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
