package io.kaizen.examples.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads {@code kaizen.audit.v1}, verifies every organisation's chain as it goes and prints one line per record.
 * Stops with exit status 2 at the first record that breaks a chain. State is saved before offsets are committed,
 * so nothing is skipped unverified after a crash; records verified twice are simply seen again.
 * <pre>java -jar target/audit-consumer.jar [--bootstrap localhost:19092] [--group audit-consumer-example]
 *     [--state audit-consumer.state] [--topic kaizen.audit.v1]</pre>
 */
public final class AuditConsumer {

    private AuditConsumer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        StateFile state = new StateFile(Path.of(options.getOrDefault("state", "audit-consumer.state")));
        ChainVerifier chains = new ChainVerifier(state.load());
        ObjectMapper json = new ObjectMapper();

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.getOrDefault("bootstrap", "localhost:19092"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, options.getOrDefault("group", "audit-consumer-example"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(options.getOrDefault("topic", "kaizen.audit.v1")));
            System.out.println("verifying " + options.getOrDefault("topic", "kaizen.audit.v1") + "; resuming "
                    + chains.heads().size() + " organisation(s) from " + options.getOrDefault("state", "audit-consumer.state"));
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(1));
                for (ConsumerRecord<String, String> record : records) {
                    ChainVerifier.Result result = chains.accept(json.readTree(record.value()));
                    switch (result.outcome()) {
                        case VERIFIED, ANCHORED -> System.out.printf("%s %s seq %d %s%n", result.outcome(),
                                result.organizationId(), result.seq(), json.readTree(record.value()).path("type").asText());
                        case SEEN -> { }
                        case BROKEN -> {
                            state.save(chains.heads());
                            System.out.printf("BROKEN %s seq %d: %s%n", result.organizationId(), result.seq(),
                                    result.reason());
                            System.exit(2);
                        }
                    }
                }
                if (!records.isEmpty()) {
                    state.save(chains.heads());
                    consumer.commitSync();
                }
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
