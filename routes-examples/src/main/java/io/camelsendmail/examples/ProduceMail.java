package io.camelsendmail.examples;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.mail.internet.InternetHeaders;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts complete messages (.eml files) on the outbox topic, each keyed by its Message-ID, as KafkaToEmailRoute expects
 * them: {@code KAFKA_BOOTSTRAP_SERVERS=localhost:port MAIL_FILES=a.eml,b.eml mvn -q -pl routes-examples exec:exec
 * -Dexamples.main=io.camelsendmail.examples.ProduceMail}. Without MAIL_FILES it puts the bundled sample
 * ({@code samples/welcome.eml}) with a Message-ID of its own, so that each run is a new mail.
 */
public final class ProduceMail {

    private ProduceMail() {
    }

    public static void main(String[] args) throws Exception {
        String brokers = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "");
        if (brokers.isBlank()) {
            System.err.println("set KAFKA_BOOTSTRAP_SERVERS: the broker the instance logged at its start, localhost:<port>");
            System.exit(2);
        }
        String topic = System.getenv().getOrDefault("KAFKA_TOPIC", "mail.outbox");
        String files = System.getenv().getOrDefault("MAIL_FILES", "");
        List<byte[]> mails = new ArrayList<>();
        if (files.isBlank()) {
            try (var in = ProduceMail.class.getResourceAsStream("/samples/welcome.eml")) {
                String sample = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                mails.add(sample.replaceFirst("(?m)^Message-ID: <[^>]+>", "Message-ID: <welcome-" + System.currentTimeMillis()
                                                                          + "@example.com>").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } else {
            for (String file : files.split(",")) {
                mails.add(Files.readAllBytes(Path.of(file.trim())));
            }
        }
        for (String line : produce(brokers, topic, mails)) {
            System.out.println(line);
        }
    }

    /** @return one line per mail put on the topic: its key and where it went */
    static List<String> produce(String brokers, String topic, List<byte[]> mails) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<String> lines = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (byte[] mail : mails) {
                String id = new InternetHeaders(new ByteArrayInputStream(mail)).getHeader("Message-ID", null);
                if (id == null || id.isBlank()) {
                    throw new IllegalArgumentException("a mail without a Message-ID header cannot be keyed");
                }
                var sent = producer.send(new ProducerRecord<>(topic, id.trim(), mail)).get();
                lines.add("Produced " + id.trim() + " to " + topic + " (partition " + sent.partition() + ", offset "
                          + sent.offset() + ")");
            }
        }
        return lines;
    }
}
