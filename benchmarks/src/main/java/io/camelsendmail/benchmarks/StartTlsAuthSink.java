package io.camelsendmail.benchmarks;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsendmail.support.TestTls;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server for the benchmark, run in its own JVM: SubEthaSMTP requiring STARTTLS and then AUTH (user
 * {@code bench}, password {@code bench-secret}) before MAIL FROM, discarding what it receives. Prints {@code mesg=N}
 * on a line whenever the count of received messages changes, at most every 100 ms.
 *
 * <p>Arguments: the loopback port to listen on.
 */
public final class StartTlsAuthSink {

    static final String USER = "bench";
    static final String PASSWORD = "bench-secret";

    private StartTlsAuthSink() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        AtomicLong received = new AtomicLong();
        SMTPServer server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName("localhost")
                .maxConnections(64)
                .enableTLS().requireTLS()
                .startTlsSocketFactory(TestTls.server("server.p12"))
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, password, context) -> {
                    if (!USER.equals(user) || !PASSWORD.equals(password)) {
                        throw new LoginFailedException();
                    }
                })).requireAuth()
                .messageHandler((context, from, to, data) -> received.incrementAndGet())
                .build();
        server.start();
        long printed = -1;
        while (true) {
            long now = received.get();
            if (now != printed) {
                System.out.println("mesg=" + now);
                System.out.flush();
                printed = now;
            }
            Thread.sleep(100);
        }
    }
}
