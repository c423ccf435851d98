package io.camelsendmail.springboot;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option of the component (its generated sendmail.json) is a camel.component.sendmail.* property, typed and
 * described in the Spring Boot metadata that IDEs complete from.
 */
class ComponentConfigurationTest {

    private static JsonObject json(String resource) throws Exception {
        try (InputStream in = ComponentConfigurationTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return (JsonObject) Jsoner.deserialize(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyComponentOptionIsAPropertyWithItsDescription() throws Exception {
        JsonObject component = json("/META-INF/io/camelsendmail/sendmail.json").getMap("componentProperties");
        JsonArray metadata = json("/META-INF/spring-configuration-metadata.json").getCollection("properties");
        Map<String, JsonObject> byName = new java.util.HashMap<>();
        metadata.forEach(p -> byName.put(((JsonObject) p).getString("name"), (JsonObject) p));

        List<String> missing = new ArrayList<>();
        for (String option : component.keySet()) {
            if (option.equals("configuration")) {
                continue;
            }
            String property = "camel.component.sendmail." + option.replaceAll("([A-Z])", "-$1").toLowerCase();
            JsonObject p = byName.get(property);
            if (p == null || p.getString("description") == null || p.getString("description").isBlank()) {
                missing.add(property);
            }
        }
        assertThat(component).hasSizeGreaterThan(40);
        // a producer-only component offers no switch for consumers' health checks
        assertThat(component).containsKey("healthCheckProducerEnabled").doesNotContainKey("healthCheckConsumerEnabled");
        assertThat(byName).doesNotContainKey("camel.component.sendmail.health-check-consumer-enabled");
        assertThat(missing).as("component options without a described Spring Boot property").isEmpty();
        assertThat(byName.get("camel.component.sendmail.max-connections").getString("type")).isEqualTo("java.lang.Integer");
        assertThat(byName.get("camel.component.sendmail.max-connections").getInteger("defaultValue")).isEqualTo(4);
        assertThat(byName.get("camel.component.sendmail.customizer.enabled").getString("description")).isNotBlank();
    }

    /**
     * The starter's configuration class is kept by hand: this holds it to the component's generated metadata, option by
     * option, in type and default, so that a new or changed option cannot be missed.
     */
    @Test
    void everyPropertyHasTheComponentOptionsTypeAndDefault() throws Exception {
        JsonObject component = json("/META-INF/io/camelsendmail/sendmail.json").getMap("componentProperties");
        JsonArray metadata = json("/META-INF/spring-configuration-metadata.json").getCollection("properties");
        Map<String, JsonObject> byName = new java.util.HashMap<>();
        metadata.forEach(p -> byName.put(((JsonObject) p).getString("name"), (JsonObject) p));
        Map<String, String> boxed = Map.of("boolean", "java.lang.Boolean", "int", "java.lang.Integer", "long",
                "java.lang.Long", "double", "java.lang.Double");

        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Object> entry : component.entrySet()) {
            if (entry.getKey().equals("configuration")) {
                continue;
            }
            JsonObject option = (JsonObject) entry.getValue();
            String name = "camel.component.sendmail." + entry.getKey().replaceAll("([A-Z])", "-$1").toLowerCase();
            JsonObject property = byName.get(name);
            if (property == null) {
                wrong.add(name + ": missing");
                continue;
            }
            String javaType = option.getString("javaType");
            String expected = boxed.getOrDefault(javaType, javaType);
            if (!expected.equals(property.getString("type"))) {
                wrong.add(name + ": type " + property.getString("type") + ", the option's is " + javaType);
            }
            Object optionDefault = option.get("defaultValue");
            Object propertyDefault = property.get("defaultValue");
            if (optionDefault != null && (propertyDefault == null || !String.valueOf(optionDefault).equals(String.valueOf(propertyDefault)))) {
                wrong.add(name + ": default " + propertyDefault + ", the option's is " + optionDefault);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(40);
        assertThat(wrong).as("properties that do not match the component's options").isEmpty();
    }

    /** The options that take one of a few values offer them to the IDE. */
    @Test
    void optionsWithAFewValuesOfferThem() throws Exception {
        JsonArray hints = json("/META-INF/spring-configuration-metadata.json").getCollection("hints");
        Map<String, List<String>> values = new java.util.HashMap<>();
        hints.forEach(h -> values.put(((JsonObject) h).getString("name"), ((JsonArray) ((JsonObject) h).get("values")).stream()
                .map(v -> ((JsonObject) v).getString("value")).toList()));
        assertThat(values.get("camel.component.sendmail.dsn-ret")).containsExactly("FULL", "HDRS");
        assertThat(values.get("camel.component.sendmail.dkim-canonicalization")).contains("relaxed/relaxed", "simple/simple");
        assertThat(values.get("camel.component.sendmail.dsn-notify")).contains("NEVER", "FAILURE");
    }
}
