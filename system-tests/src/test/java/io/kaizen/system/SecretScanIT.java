package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink;
import io.kaizen.devstack.TopicReader;
import io.kaizen.devstack.Topics;
import io.restassured.response.Response;

/**
 * Secrets reach the agent and nothing else. Agents with a credential of every auth type are registered, read,
 * listed, invoked (successfully, and against an agent that echoes the secret back in its error), tested and traced
 * through lineage and audit; then every answer, every service log and every record of every topic is searched for
 * the secrets. The agent itself (the sink) receiving them is the control that the search looks for the right thing.
 */
class SecretScanIT {

    private final Suite suite = Suite.get();
    private final String canary = "cnry" + UUID.randomUUID().toString().replace("-", "");
    private final List<String> answers = new ArrayList<>();

    @Test
    void noSecretAppearsInAnswersLogsOrEvents() throws IOException {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("api_key", "{\"api_key\": \"" + secret("apikey") + "\", \"header_name\": \"X-Api-Key\"}");
        credentials.put("bearer_token", "{\"token\": \"" + secret("bearer") + "\"}");
        credentials.put("basic", "{\"username\": \"svc\", \"password\": \"" + secret("password") + "\"}");
        credentials.put("custom", "{\"headers\": {\"X-Agent-Secret\": \"" + secret("custom") + "\"}}");
        credentials.put("hmac", "{\"secret_key\": \"" + secret("hmac") + "\"}");
        List<String> agents = new ArrayList<>();
        credentials.forEach((authType, creds) -> agents.add(keep(suite.as(token).body("""
                {"name": "Secret %s", "platform": "custom_http", "endpoint_url": "%s/agents/secret-%s",
                 "auth_config": {"auth_type": "%s", "credentials": %s}}
                """.formatted(authType, suite.stack.sinkUrl(), authType, authType, creds))
                .when().post("/api/v1/external-agents")).then().statusCode(201).extract().path("id")));

        List<String> invocations = new ArrayList<>();
        for (String agent : agents) {
            keep(suite.as(token).when().get("/api/v1/external-agents/" + agent));
            invocations.add(keep(suite.invoking(token).body("{\"input\": \"hello\"}")
                    .when().post("/api/v1/external-agents/" + agent + "/invoke")).then().statusCode(200)
                    .extract().path("invocation_id"));
            keep(suite.as(token).body("{}").when().post("/api/v1/external-agents/" + agent + "/test"));
        }
        // an agent that answers its credentials back inside an error
        Sink sink = suite.stack.sink();
        sink.respond(500, 0, "{\"error\": \"denied\", \"authorization\": \"Bearer " + secret("bearer")
                + "\", \"password\": \"" + secret("password") + "\"}", 1);
        invocations.add(keep(suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agents.get(1) + "/invoke")).then().statusCode(502)
                .extract().path("invocation_id"));
        keep(suite.as(token).when().get("/api/v1/external-agents"));
        for (String invocation : invocations) {
            keep(suite.as(token).when().get("/api/v1/invocations/" + invocation));
            await().atMost(Duration.ofSeconds(60)).until(() -> suite.as(token).when()
                    .get("/api/v1/lineage/" + invocation).statusCode() == 200);
            keep(suite.as(token).when().get("/api/v1/lineage/" + invocation));
        }
        keep(suite.as(token).when().get("/api/v1/audit"));

        assertThat(sink.requests().stream().map(request -> request.headers().toString()).toList())
                .as("the control: the agent receives its credentials")
                .anyMatch(headers -> headers.contains(secret("apikey")))
                .anyMatch(headers -> headers.contains(secret("bearer")))
                .anyMatch(headers -> headers.contains(secret("custom")));
        assertThat(answers).as("answers").noneMatch(answer -> answer.contains(canary));
        try (Stream<Path> logs = Files.walk(Path.of("target", "service-logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).as("log %s", log).doesNotContain(canary);
            }
        }
        for (String topic : Topics.ALL) {
            for (ConsumerRecord<String, String> record : TopicReader.all(suite.stack.kafka().bootstrapServers(), topic,
                    Duration.ofSeconds(60))) {
                assertThat(String.valueOf(record.value())).as("a record of %s", topic).doesNotContain(canary);
                for (Header header : record.headers()) {
                    assertThat(new String(header.value(), StandardCharsets.UTF_8)).doesNotContain(canary);
                }
            }
        }
    }

    /** One secret of this run; every secret contains the canary the search looks for. */
    private String secret(String name) {
        return name + "-" + canary + "-value";
    }

    private Response keep(Response response) {
        answers.add(response.headers().toString() + "\n" + response.body().asString());
        return response;
    }
}
