package io.camelsendmail.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.mail.util.StreamProvider;

/**
 * A context class loader that answers Jakarta Mail's provider lookup from memory.
 * <p>
 * Jakarta Mail 2.1 looks up its {@link StreamProvider} with a new {@link java.util.ServiceLoader} every time it writes
 * or parses a message part (jakartaee/mail-api#861), which scans every jar on the class path, several times per
 * message. Running the message work with this loader as the thread's context class loader reads the service files
 * once, when the endpoint starts; everything else is delegated to the parent, so the same provider is found.
 */
public final class MailProviderLookup extends ClassLoader {

    private static final String SERVICE = "META-INF/services/" + StreamProvider.class.getName();

    private final List<URL> services;

    public MailProviderLookup(ClassLoader parent) {
        super(parent);
        try {
            List<URL> copies = new ArrayList<>();
            for (URL url : Collections.list(parent.getResources(SERVICE))) {
                try (InputStream in = url.openStream()) {
                    copies.add(inMemory(url, in.readAllBytes()));
                }
            }
            this.services = List.copyOf(copies);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SERVICE, e);
        }
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return SERVICE.equals(name) ? Collections.enumeration(services) : super.getResources(name);
    }

    @Override
    public URL getResource(String name) {
        return SERVICE.equals(name) ? (services.isEmpty() ? null : services.get(0)) : super.getResource(name);
    }

    /** Runs {@code work} with this loader as the current thread's context class loader. */
    public <T> T run(Callable<T> work) throws Exception {
        if (services.isEmpty()) {
            // nothing to answer from memory: the lookup goes its usual way
            return work.call();
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(this);
        try {
            return work.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static URL inMemory(URL original, byte[] content) throws MalformedURLException {
        URLStreamHandler handler = new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL url) {
                return new URLConnection(url) {
                    @Override
                    public void connect() {
                        connected = true;
                    }

                    @Override
                    public InputStream getInputStream() {
                        return new ByteArrayInputStream(content);
                    }
                };
            }
        };
        return new URL(null, "sendmail-cached:" + original, handler);
    }
}
