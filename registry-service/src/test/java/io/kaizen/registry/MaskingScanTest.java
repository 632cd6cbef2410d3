package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * After a full scenario — register, read, list, patch with new credentials, fail validation, delete — no secret
 * appears in any public response, event or log line. Only the internal definition endpoint may carry them.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class MaskingScanTest {

    private static final String AGENTS = "/api/v1/external-agents";
    private static final List<String> SECRETS = List.of(
            "T0SECRET/B0SECRET/hookSecretValue", "987654321:AAHsecretTelegramTokenValue00",
            "secret_notionIntegrationValue42", "apiKeyValue-7f3a9c", "basicPasswordValue!9",
            "oauthClientSecretValue77", "hmacSecretKeyValue0123", "customHeaderSecretValue",
            "platformApiTokenValue55", "rotatedBearerTokenValue88");

    private final String org = "org_" + UUID.randomUUID();
    private final List<String> publicBodies = new ArrayList<>();

    private RequestSpecification as(String role) {
        String token = DevStackTestResource.stack().keys().token(org, List.of(role), "scanner", null, Duration.ofMinutes(5));
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    private Response keep(Response response) {
        publicBodies.add(response.asString());
        response.getHeaders().forEach(h -> publicBodies.add(h.getValue()));
        return response;
    }

    private String create(String body) {
        Response created = keep(as("org_owner").body(body).when().post(AGENTS));
        assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
        return created.path("id");
    }

    @Test
    void noSecretLeavesThroughResponsesEventsOrLogs() throws IOException {
        List<String> ids = new ArrayList<>();
        ids.add(create("""
                {"name": "s1", "platform": "slack", "platform_config": {"webhook_url": "https://hooks.slack.com/services/T0SECRET/B0SECRET/hookSecretValue"}}"""));
        ids.add(create("""
                {"name": "s2", "platform": "telegram", "platform_config": {"bot_token": "987654321:AAHsecretTelegramTokenValue00", "chat_id": "42"}}"""));
        ids.add(create("""
                {"name": "s3", "platform": "notion", "platform_config": {"database_id": "0123456789abcdef0123456789abcdef", "token": "secret_notionIntegrationValue42"}}"""));
        ids.add(create("""
                {"name": "s4", "platform": "custom_http", "endpoint_url": "https://x.example.com", "platform_config": {"api_token": "platformApiTokenValue55"},
                 "auth_config": {"auth_type": "api_key", "credentials": {"api_key": "apiKeyValue-7f3a9c"}}}"""));
        ids.add(create("""
                {"name": "s5", "platform": "custom_http", "endpoint_url": "https://x.example.com",
                 "auth_config": {"auth_type": "basic", "credentials": {"username": "u", "password": "basicPasswordValue!9"}}}"""));
        ids.add(create("""
                {"name": "s6", "platform": "custom_http", "endpoint_url": "https://x.example.com",
                 "auth_config": {"auth_type": "oauth2", "credentials": {"client_id": "c", "client_secret": "oauthClientSecretValue77", "token_url": "https://login.example.com/t"}}}"""));
        ids.add(create("""
                {"name": "s7", "platform": "custom_http", "endpoint_url": "https://x.example.com",
                 "auth_config": {"auth_type": "hmac", "credentials": {"secret_key": "hmacSecretKeyValue0123"}}}"""));
        ids.add(create("""
                {"name": "s8", "platform": "custom_http", "endpoint_url": "https://x.example.com",
                 "auth_config": {"auth_type": "custom", "credentials": {"headers": {"X-Secret": "customHeaderSecretValue"}}}}"""));

        for (String id : ids) {
            keep(as("viewer").when().get(AGENTS + "/" + id));
        }
        keep(as("viewer").queryParam("limit", 100).when().get(AGENTS));
        keep(as("developer").body("{\"auth_config\": {\"auth_type\": \"bearer_token\", \"credentials\": {\"token\": \"rotatedBearerTokenValue88\"}}}")
                .when().patch(AGENTS + "/" + ids.get(4)));
        // rejected requests that carry secrets must not echo them
        keep(as("org_owner").body("""
                {"name": "bad", "platform": "custom_http", "endpoint_url": "https://x.example.com",
                 "auth_config": {"auth_type": "api_key", "credentials": {"api_key": "apiKeyValue-7f3a9c", "extra": "basicPasswordValue!9"}}}""")
                .when().post(AGENTS));
        keep(as("org_owner").body("""
                {"name": "bad2", "platform": "slack", "platform_config": {"webhook_url": "ftp://hooks.slack.com/services/T0SECRET/B0SECRET/hookSecretValue"}}""")
                .when().post(AGENTS));
        keep(as("org_owner").body("{\"name\": \"bad3\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://x.example.com\", "
                + "\"timeout_seconds\": \"secret_notionIntegrationValue42\"}").when().post(AGENTS));
        for (String id : ids) {
            // the gateway's read: secrets are expected here and only here
            given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                    .when().get("/internal/v1/agents/" + id).then().statusCode(200);
        }
        keep(as("org_admin").when().delete(AGENTS + "/" + ids.get(0)));

        for (String body : publicBodies) {
            for (String secret : SECRETS) {
                assertThat(body).as("a public response").doesNotContain(secret);
            }
        }

        List<String> events = eventsOf(org, ids.size() * 2 + 3);
        assertThat(String.join("\n", events)).contains("kaizen.agent.registered.v1", "kaizen.agent.updated.v1",
                "kaizen.agent.credentials_rotated.v1", "kaizen.agent.credentials_accessed.v1", "kaizen.agent.deleted.v1");
        for (String event : events) {
            for (String secret : SECRETS) {
                assertThat(event).as("an event").doesNotContain(secret);
            }
        }

        String log = Files.readString(Path.of("target/registry-test.log"), StandardCharsets.UTF_8);
        assertThat(log).isNotEmpty();
        for (String secret : SECRETS) {
            assertThat(log).as("the service log").doesNotContain(secret);
        }
    }

    /** Every event of the organisation on the agents topic, as headers + value, once at least n arrived. */
    private static List<String> eventsOf(String org, int atLeast) {
        return TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(), "kaizen.agents.v1",
                r -> org.equals(TopicReader.header(r, "ce_organizationid")), atLeast, Duration.ofSeconds(30))
                .stream().map(record -> {
                    StringBuilder text = new StringBuilder();
                    record.headers().forEach(h -> text.append(h.key()).append('=')
                            .append(new String(h.value(), StandardCharsets.UTF_8)).append(' '));
                    return text.append(record.value()).toString();
                }).toList();
    }
}
