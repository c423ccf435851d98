package io.camelsendmail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonObject;

/**
 * The Camel dev console {@code sendmail} (Camel JBang {@code camel get}, the developer console over HTTP): each
 * {@code sendmail:} endpoint's server, connections and deliveries.
 */
@DevConsole(group = "camel", name = "sendmail", displayName = "Sendmail",
            description = "The sendmail: endpoints: SMTP connections, messages sent and failures by kind")
public class SendmailDevConsole extends AbstractDevConsole {

    public SendmailDevConsole() {
        super("camel", "sendmail", "Sendmail", "The sendmail: endpoints: SMTP connections, messages sent and failures by kind");
    }

    private List<SendmailEndpoint> endpoints() {
        List<SendmailEndpoint> endpoints = new ArrayList<>();
        getCamelContext().getEndpoints().forEach(e -> {
            if (e instanceof SendmailEndpoint sendmail) {
                endpoints.add(sendmail);
            }
        });
        return endpoints;
    }

    static Map<String, Object> figures(SendmailEndpoint e) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("server", e.getServer());
        figures.put("connectionsOpen", e.getConnectionsOpen());
        figures.put("connectionsIdle", e.getConnectionsIdle());
        figures.put("connectionsBusy", e.getConnectionsBusy());
        figures.put("connectionsOpened", e.getConnectionsOpened());
        figures.put("connectionFailures", e.getConnectionFailures());
        figures.put("messagesQueued", e.getMessagesQueued());
        figures.put("messagesSent", e.getMessagesSent());
        figures.put("messagesFailed", e.getMessagesFailed());
        figures.put("recipientsAccepted", e.getRecipientsAccepted());
        figures.put("recipientsRefused", e.getRecipientsRefused());
        figures.put("failedConnect", e.getFailedConnect());
        figures.put("failedTransportSecurity", e.getFailedTransportSecurity());
        figures.put("failedAuthentication", e.getFailedAuthentication());
        figures.put("failedDelivery", e.getFailedDelivery());
        figures.put("failedInvalidMessage", e.getFailedInvalidMessage());
        return figures;
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder text = new StringBuilder();
        for (SendmailEndpoint e : endpoints()) {
            text.append(e.getEndpointBaseUri()).append('\n');
            figures(e).forEach((name, value) -> text.append("    ").append(name).append(": ").append(value).append('\n'));
        }
        return text.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        JsonObject root = new JsonObject();
        List<JsonObject> list = new ArrayList<>();
        for (SendmailEndpoint e : endpoints()) {
            JsonObject endpoint = new JsonObject(figures(e));
            endpoint.put("uri", e.getEndpointBaseUri());
            list.add(endpoint);
        }
        root.put("endpoints", list);
        return root;
    }
}
