package io.camelsendmail.examples;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsendmail.InvalidMessageException;
import io.camelsendmail.RecipientStatus;
import io.camelsendmail.SendmailConstants;
import io.camelsendmail.SendmailException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * REST to email: {@code POST /mail} with {@code {"to": "bob@example.com" or [...], "subject": "...", "text": "..."}}
 * sends a mail and answers 200 with the per-recipient statuses as JSON; bad input answers 400, a refusal by the SMTP
 * server 502 (503 when it may pass on a retry), each with a message that names the problem. The request's HTTP headers
 * never reach the mail: only the JSON says who gets it.
 * <p>
 * It must not become an open relay: with {@code http.api-key} set, a request without that key in {@code X-Api-Key} is
 * answered 401, and the application refuses to start listening beyond loopback without one (see
 * {@link EmbeddedDefaults}); with {@code mail.allowed-recipient-domains} set, a recipient outside those domains is
 * answered 403. Both are checked before any SMTP connection.
 */
public final class RestToEmailRoute extends RouteBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No API key, or the wrong one: answered 401. */
    static final class Unauthorized extends Exception {
        private static final long serialVersionUID = 1L;

        Unauthorized(String message) {
            super(message);
        }
    }

    /** A recipient outside mail.allowed-recipient-domains: answered 403. */
    static final class Forbidden extends Exception {
        private static final long serialVersionUID = 1L;

        Forbidden(String message) {
            super(message);
        }
    }

    /** Bad input: answered 400. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    @Override
    public void configure() {
        restConfiguration().component("platform-http");
        rest("/mail").post().consumes("application/json").produces("application/json").to("direct:rest-to-email");

        String apiKey = getContext().resolvePropertyPlaceholders("{{http.api-key}}");
        Set<String> allowedDomains = domains(getContext().resolvePropertyPlaceholders("{{mail.allowed-recipient-domains}}"));

        from("direct:rest-to-email").routeId("rest-to-email")
                .onException(Unauthorized.class).handled(true)
                    .process(e -> answer(e, 401, error(e)))
                .end()
                .onException(Forbidden.class).handled(true)
                    .process(e -> answer(e, 403, error(e)))
                .end()
                .onException(BadRequest.class, InvalidMessageException.class).handled(true)
                    .process(e -> answer(e, 400, error(e)))
                .end()
                .onException(SendmailException.class).handled(true)
                    .process(e -> answer(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, SendmailException.class).isTransient()
                            ? 503 : 502, error(e)))
                .end()
                .process(e -> requireKey(e, apiKey))
                .process(RestToEmailRoute::readRequest)
                .process(e -> requireAllowedRecipients(e, allowedDomains))
                .to("{{mail.endpoint}}")
                .process(e -> {
                    log.info("Sent REST request: {}", SendResult.of(e));
                    answer(e, 200, result(e));
                });
    }

    /** With http.api-key set, the request's X-Api-Key header must be that key (compared in constant time). */
    private static void requireKey(Exchange exchange, String apiKey) throws Unauthorized {
        if (apiKey.isBlank()) {
            return;
        }
        String given = exchange.getMessage().getHeader("X-Api-Key", "", String.class);
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            throw new Unauthorized(given.isEmpty() ? "an X-Api-Key header is required" : "the X-Api-Key is not valid");
        }
    }

    /** With mail.allowed-recipient-domains set, every recipient's domain must be one of them, before any SMTP connection. */
    private static void requireAllowedRecipients(Exchange exchange, Set<String> allowed) throws BadRequest, Forbidden {
        if (allowed.isEmpty()) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<String> to = exchange.getMessage().getHeader("To", List.class);
        for (String recipient : to) {
            String address;
            try {
                address = new InternetAddress(recipient, true).getAddress();
            } catch (AddressException e) {
                throw new BadRequest("\"to\" holds an address that is not valid: '" + recipient + "'");
            }
            String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (!allowed.contains(domain)) {
                throw new Forbidden("the recipient " + address + " is outside the domains this service may mail ("
                                    + String.join(", ", allowed) + ")");
            }
        }
    }

    static Set<String> domains(String list) {
        Set<String> domains = new TreeSet<>();
        for (String domain : list.split(",")) {
            if (!domain.isBlank()) {
                domains.add(domain.trim().toLowerCase(Locale.ROOT));
            }
        }
        return domains;
    }

    private static void readRequest(Exchange exchange) throws Exception {
        String body = exchange.getMessage().getBody(String.class);
        JsonNode json;
        try {
            json = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("the request body is not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new BadRequest("the request body must be a JSON object with to, subject and text");
        }
        List<String> to = new ArrayList<>();
        JsonNode toNode = json.get("to");
        if (toNode != null && toNode.isTextual()) {
            to.add(toNode.asText());
        } else if (toNode != null && toNode.isArray()) {
            for (JsonNode n : toNode) {
                if (!n.isTextual()) {
                    throw new BadRequest("\"to\" must hold addresses as strings");
                }
                to.add(n.asText());
            }
        }
        if (to.isEmpty() || to.stream().anyMatch(String::isBlank)) {
            throw new BadRequest("\"to\" is required: an address or a list of addresses");
        }
        JsonNode text = json.get("text");
        if (text == null || !text.isTextual()) {
            throw new BadRequest("\"text\" is required: the text of the mail");
        }
        JsonNode subject = json.get("subject");
        if (subject != null && !subject.isTextual()) {
            throw new BadRequest("\"subject\" must be a string");
        }
        // only the JSON addresses the mail: drop every HTTP header (a "Bcc:" request header must not add a recipient)
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader("To", to);
        if (subject != null) {
            exchange.getMessage().setHeader("Subject", subject.asText());
        }
        exchange.getMessage().setBody(text.asText());
    }

    private static Map<String, Object> result(Exchange exchange) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accepted", exchange.getMessage().getHeader(SendmailConstants.ACCEPTED));
        result.put("messageId", exchange.getMessage().getHeader(SendmailConstants.MESSAGE_ID));
        result.put("response", exchange.getMessage().getHeader(SendmailConstants.RESPONSE));
        @SuppressWarnings("unchecked")
        List<RecipientStatus> statuses = exchange.getMessage().getHeader(SendmailConstants.STATUSES, List.class);
        result.put("statuses", statuses);
        return result;
    }

    private static Map<String, Object> error(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", cause.getMessage());
        if (cause instanceof SendmailException e) {
            error.put("type", e.getClass().getSimpleName());
            error.put("code", e.getCode());
            error.put("transient", e.isTransient());
            error.put("statuses", e.getStatuses());
        }
        return error;
    }

    private static void answer(Exchange exchange, int status, Map<String, Object> json) throws Exception {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(json));
    }
}
