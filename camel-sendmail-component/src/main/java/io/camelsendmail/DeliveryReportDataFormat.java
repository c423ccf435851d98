package io.camelsendmail;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.WrappedFile;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The {@code deliveryReport} data format: unmarshals a received message (a {@code MimeMessage}, bytes, a stream or a
 * file) into a {@code List<DeliveryReport>}, empty for anything that is not a bounce or a delivery status notification,
 * and sets the header {@value SendmailConstants#REPORT_TYPE} to what the message is ({@link DeliveryReports.Type}).
 *
 * <pre>
 * - unmarshal:
 *     custom: deliveryReport
 * </pre>
 *
 * There is nothing to marshal: a report is written by the server that could not deliver.
 */
public class DeliveryReportDataFormat extends ServiceSupport implements DataFormat, DataFormatName {

    @Override
    public String getDataFormatName() {
        return "deliveryReport";
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) {
        throw new UnsupportedOperationException("the deliveryReport data format only unmarshals: a delivery report is "
                                                + "written by the server that could not deliver");
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        return result(exchange, DeliveryReports.read(stream));
    }

    @Override
    public Object unmarshal(Exchange exchange, Object body) throws Exception {
        DeliveryReports reports;
        if (body instanceof MimeMessage message) {
            reports = DeliveryReports.read(message);
        } else if (body instanceof byte[] bytes) {
            reports = DeliveryReports.read(bytes);
        } else if (body instanceof WrappedFile<?> wrapped && wrapped.getFile() instanceof File file) {
            reports = DeliveryReports.read(file.toPath());
        } else if (body instanceof File file) {
            reports = DeliveryReports.read(file.toPath());
        } else if (body instanceof Path path) {
            reports = DeliveryReports.read(path);
        } else {
            MimeMessage message = exchange.getContext().getTypeConverter().tryConvertTo(MimeMessage.class, exchange, body);
            if (message != null) {
                reports = DeliveryReports.read(message);
            } else {
                try (InputStream in = exchange.getContext().getTypeConverter().mandatoryConvertTo(InputStream.class,
                        exchange, body)) {
                    reports = DeliveryReports.read(in);
                }
            }
        }
        return result(exchange, reports);
    }

    private static Object result(Exchange exchange, DeliveryReports reports) {
        exchange.getMessage().setHeader(SendmailConstants.REPORT_TYPE, reports.type().name());
        return reports.reports();
    }
}
