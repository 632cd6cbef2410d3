package io.kaizen.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared stack against real PostgreSQL, Redis and Kafka, including taking each away and bringing it back. */
class DevStackTest {

    private static DevStack stack;

    @BeforeAll
    static void startStack() {
        stack = DevStack.shared();
    }

    @Test
    void everyServiceDatabaseAcceptsTheKaizenUser() throws SQLException {
        for (Service service : Service.values()) {
            try (Connection c = stack.postgres().connect(service.database());
                 Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT current_database(), current_user")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo(service.database());
                assertThat(rows.getString(2)).isEqualTo("kaizen");
            }
        }
        assertThat(stack.jdbcUrl("registry")).isEqualTo("jdbc:postgresql://127.0.0.1:" + stack.postgresPort() + "/registry");
        assertThat(stack.reactiveUrl("lineage")).isEqualTo("postgresql://127.0.0.1:" + stack.postgresPort() + "/lineage");
    }

    @Test
    void eachPlatformEmulatorAnswersAsItsPlatform() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> slack = http.send(HttpRequest.newBuilder(
                        URI.create(stack.emulator("slack").url() + "/services/T/B/X"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> discord = http.send(HttpRequest.newBuilder(
                        URI.create(stack.emulator("discord").url() + "/api/webhooks/1/t"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(slack.statusCode()).isEqualTo(200);
        assertThat(slack.body()).isEqualTo("ok");
        assertThat(discord.statusCode()).as("an empty message, refused as Discord does").isEqualTo(400);
        assertThat(List.of("slack", "discord", "teams", "telegram", "notion"))
                .allSatisfy(platform -> assertThat(stack.emulator(platform)).isNotNull());
    }

    @Test
    void redisAnswersPing() throws IOException {
        assertThat(stack.redis().command("PING")).isEqualTo("+PONG");
        assertThat(stack.redisUrl()).isEqualTo("redis://127.0.0.1:" + stack.redisPort());
    }

    @Test
    void brokerHasEveryTopicWithItsDeadLetterTopic() throws Exception {
        try (Admin admin = stack.kafka().admin()) {
            Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            assertThat(names).containsAll(Topics.ALL);
            assertThat(names).contains("kaizen.audit.v1.dlq", "kaizen.agents.v1.dlq");
            Map<String, TopicDescription> described = admin.describeTopics(Topics.ALL).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(described.values()).allSatisfy(topic -> {
                assertThat(topic.partitions()).hasSize(3);
                assertThat(topic.partitions().get(0).replicas()).hasSize(1);
            });
        }
        assertThat(Topics.ALL).hasSize(12);
    }

    @Test
    void aRecordProducedIsConsumed() throws Exception {
        String key = "agt_" + UUID.randomUUID();
        RecordMetadata sent = produce(Topics.AGENTS, key, "{\"hello\":\"kafka\"}");
        assertThat(consumeFrom(Topics.AGENTS, sent)).extracting(ConsumerRecord::value).containsExactly("{\"hello\":\"kafka\"}");
    }

    @Test
    void autoTopicCreationIsOff() {
        assertThatThrownBy(() -> produceWithTimeout("kaizen.no-such-topic", "k", "v", 3000))
                .hasMessageContaining("kaizen.no-such-topic");
    }

    @Test
    void postgresStopsAndComesBackWithItsData() throws SQLException {
        try (Connection c = stack.postgres().connect("governance"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS survives_restart (id int PRIMARY KEY)");
            s.execute("INSERT INTO survives_restart VALUES (42) ON CONFLICT DO NOTHING");
        }
        stack.stopPostgres();
        try {
            assertThatThrownBy(() -> stack.postgres().connect("governance").close())
                    .isInstanceOf(SQLException.class)
                    .hasRootCauseInstanceOf(ConnectException.class);
        } finally {
            stack.startPostgres();
        }
        try (Connection c = stack.postgres().connect("governance");
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id FROM survives_restart")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void redisStopsAndComesBackEmpty() throws IOException {
        assertThat(stack.redis().command("SET survives nope")).isEqualTo("+OK");
        stack.stopRedis();
        try {
            assertThatThrownBy(() -> stack.redis().command("PING")).isInstanceOf(ConnectException.class);
        } finally {
            stack.startRedis();
        }
        assertThat(stack.redis().command("PING")).isEqualTo("+PONG");
        assertThat(stack.redis().command("EXISTS survives")).isEqualTo(":0");
    }

    @Test
    void kafkaStopsAndComesBackWithItsTopicsAndRecords() throws Exception {
        RecordMetadata before = produce(Topics.AUDIT, "org_1", "before restart");
        stack.stopKafka();
        try {
            assertThatThrownBy(() -> new Socket("127.0.0.1", stack.kafka().port()).close()).isInstanceOf(ConnectException.class);
        } finally {
            stack.startKafka();
        }
        try (Admin admin = stack.kafka().admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(Topics.ALL);
        }
        assertThat(consumeFrom(Topics.AUDIT, before)).extracting(ConsumerRecord::value).contains("before restart");
        RecordMetadata after = produce(Topics.AUDIT, "org_1", "after restart");
        assertThat(after.offset()).isGreaterThan(before.offset());
    }

    @Test
    void serviceConfigPointsAServiceAtItsOwnDatabaseAndTheSharedInfrastructure() {
        Map<String, String> config = stack.serviceConfig(Service.APPROVAL);
        assertThat(config)
                .containsEntry("quarkus.datasource.username", "kaizen")
                .containsEntry("quarkus.datasource.password", "kaizen")
                .containsEntry("quarkus.datasource.jdbc.url", stack.jdbcUrl("approval"))
                .containsEntry("quarkus.datasource.reactive.url", stack.reactiveUrl("approval"))
                .containsEntry("quarkus.redis.hosts", stack.redisUrl())
                .containsEntry("kafka.bootstrap.servers", stack.kafkaBootstrap())
                .containsEntry("mp.jwt.verify.publickey.location", stack.keys().publicKeyPem().toString())
                .containsEntry("mp.jwt.verify.issuer", "kaizen-dev")
                .containsEntry("mp.jwt.verify.audiences", "kaizen-dev-api")
                .containsEntry("kaizen.internal.service-token", stack.serviceToken())
                .containsEntry("kaizen.egress.allow-loopback", "true");
        assertThat(stack.keys().publicKeyPem()).isAbsolute().exists();
    }

    @Test
    void testResourceGivesTheServiceItsConfigWithOtherServicesAtTheSink() {
        DevStackTestResource resource = new DevStackTestResource();
        resource.init(Map.of("service", "registry"));
        Map<String, String> config = resource.start();
        assertThat(config)
                .containsEntry("quarkus.datasource.jdbc.url", stack.jdbcUrl("registry"))
                .containsEntry("kaizen.devstack.sink-url", stack.sinkUrl())
                .containsEntry("quarkus.rest-client.governance.url", stack.sinkUrl())
                .containsEntry("quarkus.rest-client.gateway.url", stack.sinkUrl())
                .containsEntry("mp.jwt.verify.publickey", stack.keys().publicKeyBase64())
                .doesNotContainKey("quarkus.rest-client.registry.url");
        assertThat(DevStackTestResource.stack()).isSameAs(stack);
    }

    private RecordMetadata produce(String topic, String key, String value) throws Exception {
        return produceWithTimeout(topic, key, value, 30_000);
    }

    private RecordMetadata produceWithTimeout(String topic, String key, String value, int maxBlockMillis) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(maxBlockMillis));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private List<ConsumerRecord<String, String>> consumeFrom(String topic, RecordMetadata from) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, from.partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, from.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }
}
