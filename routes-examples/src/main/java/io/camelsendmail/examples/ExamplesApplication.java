package io.camelsendmail.examples;

import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * The examples as one Camel Main application: file, queue and REST pipelines that end in {@code sendmail:}, plus the
 * YAML routes in {@code routes/}. With no SMTP host or broker configured it starts embedded ones (see
 * {@link EmbeddedDefaults}); with {@code examples.demo=true} it sends the bundled samples through every route, and
 * it stops by itself once they are through (to the embedded server) or once idle
 * ({@code camel.main.duration-max-idle-seconds}, 0 to keep running).
 */
public final class ExamplesApplication {

    private ExamplesApplication() {
    }

    public static void main(String[] args) throws Exception {
        try {
            newMain().run(args);
        } catch (Exception e) {
            // a start that failed leaves the embedded broker's threads behind: end with the error rather than hang
            LoggerFactory.getLogger(ExamplesApplication.class).error("The examples could not start: {}", e.toString(), e);
            System.exit(1);
        }
        // Camel has stopped: end now. When the demo ends the run itself (its samples are through), Camel Main's idle
        // timer (camel.main.duration-max-idle-seconds) keeps a thread of its own that would hold the JVM for ever
        System.exit(0);
    }

    /** A Main with every example route and the embedded defaults; tests start it with their own properties. */
    public static Main newMain() {
        Main main = new Main();
        main.configure().addConfiguration(new EmbeddedDefaults());
        main.configure().addRoutesBuilder(new FileToEmailRoute());
        main.configure().addRoutesBuilder(new QueueToEmailRoute());
        main.configure().addRoutesBuilder(new TemplatedMailRoute());
        main.configure().addRoutesBuilder(new RestToEmailRoute());
        main.configure().addRoutesBuilder(new BounceRoute());
        main.addMainListener(new DemoRun());
        return main;
    }
}
