package io.camelsendmail.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.camelsendmail.smtp.OutgoingMessage;

/**
 * A small message ready for the wire, for the tests of the engine below the producer: from alice@example.com, a
 * subject and a body of the given text (a line starting with a dot shows the dot-stuffing), held in memory, or
 * streamed as a message over 1 MB is ({@code bytes()} null).
 */
public record TextMessage(String text, List<String> recipients, boolean streamed) implements OutgoingMessage {

    public TextMessage(String text) {
        this(text, List.of("bob@example.com"), false);
    }

    public byte[] content() {
        return ("Subject: " + text + "\r\n\r\n." + text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String sender() {
        return "alice@example.com";
    }

    @Override
    public boolean needsSmtpUtf8() {
        return false;
    }

    @Override
    public long size() {
        return content().length;
    }

    @Override
    public byte[] bytes() {
        return streamed ? null : content();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(content());
    }
}
