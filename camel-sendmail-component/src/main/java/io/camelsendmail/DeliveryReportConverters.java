package io.camelsendmail;

import java.io.IOException;
import java.io.InputStream;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Converter;

/**
 * Type converters to {@link DeliveryReports}: a route that has a received message as its body (from camel-mail's IMAP
 * or POP3 consumer with {@code mapMailMessage=false}, or a file) reads it with {@code convertBodyTo}.
 */
@Converter(generateLoader = true)
public final class DeliveryReportConverters {

    private DeliveryReportConverters() {
    }

    @Converter
    public static DeliveryReports toDeliveryReports(MimeMessage message) throws MessagingException {
        return DeliveryReports.read(message);
    }

    @Converter
    public static DeliveryReports toDeliveryReports(byte[] rfc5322) throws MessagingException {
        return DeliveryReports.read(rfc5322);
    }

    @Converter
    public static DeliveryReports toDeliveryReports(InputStream rfc5322) throws IOException, MessagingException {
        return DeliveryReports.read(rfc5322);
    }
}
