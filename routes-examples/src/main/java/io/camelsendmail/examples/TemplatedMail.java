package io.camelsendmail.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.util.Map;

import jakarta.activation.DataHandler;
import jakarta.mail.util.ByteArrayDataSource;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.SendmailConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;

/**
 * An HTML mail from a FreeMarker template, with its plain text alternative from a second one and the shop's logo
 * inline ({@code cid:logo}): {@code templates/<name>.html.ftlh} (HTML, every value escaped) and
 * {@code templates/<name>.txt.ftl} on the class path, rendered with the exchange's body, a {@code Map}, as the model.
 * <p>
 * A value the templates need and the body lacks fails the exchange with an {@link InvalidMessageException} naming it,
 * before anything is sent.
 */
public final class TemplatedMail implements Processor {

    private static final Configuration FREEMARKER = freemarker();

    private final String name;
    private final byte[] logo;

    public TemplatedMail(String name) {
        this.name = name;
        try (InputStream in = TemplatedMail.class.getResourceAsStream("/templates/logo.png")) {
            this.logo = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("templates/logo.png is missing from the class path", e);
        }
        // a template that does not parse stops the application at start, not at the first message
        load(name + ".html.ftlh");
        load(name + ".txt.ftl");
    }

    private static Configuration freemarker() {
        Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
        configuration.setClassForTemplateLoading(TemplatedMail.class, "/templates");
        configuration.setDefaultEncoding("UTF-8");
        configuration.setURLEscapingCharset("UTF-8");
        // .ftlh escapes HTML, .ftl does not
        configuration.setRecognizeStandardFileExtensions(true);
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        return configuration;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Map<?, ?> model = exchange.getMessage().getMandatoryBody(Map.class);
        String html = render(name + ".html.ftlh", model);
        String text = render(name + ".txt.ftl", model);
        AttachmentMessage message = exchange.getMessage(AttachmentMessage.class);
        message.setBody(html);
        message.setHeader(SendmailConstants.ALTERNATIVE_BODY, text);
        DefaultAttachment image = new DefaultAttachment(new DataHandler(new ByteArrayDataSource(logo, "image/png")));
        image.addHeader("Content-ID", "<logo>");
        message.addAttachmentObject("logo.png", image);
    }

    private static freemarker.template.Template load(String template) {
        try {
            return FREEMARKER.getTemplate(template);
        } catch (IOException e) {
            throw new IllegalStateException("the mail template " + template + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    private static String render(String template, Map<?, ?> model) throws InvalidMessageException, IOException {
        StringWriter out = new StringWriter();
        try {
            load(template).process(model, out);
        } catch (TemplateException e) {
            throw new InvalidMessageException("the mail template " + template + " cannot be rendered: "
                                              + e.getMessageWithoutStackTop(), null, -1, false, null, e);
        }
        return out.toString();
    }
}
