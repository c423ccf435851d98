package io.camelsendmail.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The socket under a connection: every write is bounded, even once the endpoint has stopped its timers. */
class SmtpChannelTest {

    @Test
    void aWriteAfterTheWriteTimersStoppedFailsAtOnceRatherThanBlockForEver() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        // a server that accepts and never reads: once the socket buffers are full, a write blocks
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SmtpChannel channel = SmtpChannel.connect("127.0.0.1", server.getLocalPort(), 1000, 60_000, null, timers);
            try (Socket accepted = server.accept()) {
                channel.write(new byte[] { 'N', 'O', 'O', 'P', '\r', '\n' });
                channel.flush();
                timers.shutdownNow();
                byte[] big = new byte[8 * 1024 * 1024];
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    assertThatThrownBy(() -> {
                        channel.write(big);
                        channel.flush();
                    }).isInstanceOf(IOException.class).hasMessageContaining("stopped");
                });
                assertThat(accepted.isClosed()).isFalse();
            } finally {
                channel.close();
            }
        } finally {
            timers.shutdownNow();
        }
    }
}
