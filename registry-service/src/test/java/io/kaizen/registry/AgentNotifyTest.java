package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * An agent's {@code notify} channels: checked at registration and change with a 400 naming the field, shown with the
 * agent, and handed to the gateway in the internal view.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class AgentNotifyTest {

    private static final String AGENTS = "/api/v1/external-agents";
    private static final String AGENT = "\"name\":\"%s\",\"platform\":\"custom_http\",\"endpoint_url\":\"https://agent.example.com/run\"";
    private final String org = "org_" + UUID.randomUUID();

    private RequestSpecification owner() {
        String token = DevStackTestResource.stack().keys().token(org, List.of("org_owner"), "alice", null,
                Duration.ofMinutes(5));
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static String agent(String name, String notify) {
        return "{" + AGENT.formatted(name) + ",\"notify\":" + notify + "}";
    }

    @Test
    void notifyChannelsAreStoredShownAndHandedToTheGateway() {
        String told = PrefixedId.next(PrefixedId.AGENT);
        String id = owner().body(agent("n1", "[{\"type\":\"email\",\"to\":[\"ops@example.com\"],\"on\":[\"failed\"]},"
                        + "{\"type\":\"webhook\",\"url\":\"https://hooks.example.com/kaizen\"},"
                        + "{\"type\":\"agent\",\"agent_id\":\"" + told + "\"}]"))
                .when().post(AGENTS)
                .then().statusCode(201)
                .body("notify", hasSize(3))
                .body("notify[0].to[0]", equalTo("ops@example.com"))
                .body("notify[0].on", equalTo(List.of("failed")))
                .body("notify[1].on", equalTo(List.of("completed", "failed")))
                .extract().path("id");

        given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .when().get("/internal/v1/agents/" + id)
                .then().statusCode(200)
                .body("notify[0].type", equalTo("email"))
                .body("notify[1].url", equalTo("https://hooks.example.com/kaizen"))
                .body("notify[2].agent_id", equalTo(told));

        owner().body("{\"notify\":[{\"type\":\"email\",\"to\":[\"lead@example.org\"],\"on\":[\"completed\"]}]}")
                .when().patch(AGENTS + "/" + id)
                .then().statusCode(200)
                .body("notify", hasSize(1))
                .body("notify[0].to[0]", equalTo("lead@example.org"));
        owner().body("{\"notify\":[]}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200).body("notify", hasSize(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown type            | [{"type":"sms","to":["+15550100"]}]                                   | notify[0].type' must be email, agent or webhook
            email without to        | [{"type":"email"}]                                                     | notify[0].to' must hold 1 to 50
            bad address             | [{"type":"email","to":["ops@example.com","not an address"]}]           | notify[0].to[1]' is not a valid e-mail address
            display name            | [{"type":"email","to":["Ops <ops@example.com>"]}]                      | notify[0].to[0]' is not a valid e-mail address
            header injection        | [{"type":"email","to":["ops@example.com\\r\\nBcc: x@evil.example"]}]    | notify[0].to[0]' is not a valid e-mail address
            agent without id        | [{"type":"agent"}]                                                     | notify[0].agent_id' must be an agent id
            webhook without url     | [{"type":"webhook"}]                                                   | notify[0].url' is required
            webhook to private net  | [{"type":"webhook","url":"http://192.168.1.1/hook"}]                   | notify[0].url' is not an allowed URL
            webhook to metadata     | [{"type":"webhook","url":"http://169.254.169.254/latest"}]             | notify[0].url' is not an allowed URL
            webhook over ftp        | [{"type":"webhook","url":"ftp://hooks.example.com/x"}]                 | notify[0].url' is not an allowed URL
            unknown outcome         | [{"type":"webhook","url":"https://h.example.com/x","on":["started"]}]  | notify[0].on' must hold completed and/or failed
            """)
    void aBadChannelIsA400NamingTheField(String name, String notify, String detail) {
        owner().body(agent("bad-" + UUID.randomUUID(), notify)).when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(detail));
    }

    @Test
    void aChangeToABadChannelIsA400AndChangesNothing() {
        String id = owner().body(agent("n2", "[{\"type\":\"webhook\",\"url\":\"https://hooks.example.com/a\"}]"))
                .when().post(AGENTS).then().statusCode(201).extract().path("id");

        owner().body("{\"notify\":[{\"type\":\"webhook\",\"url\":\"http://10.0.0.1/hook\"}]}")
                .when().patch(AGENTS + "/" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("notify[0].url' is not an allowed URL"));
        owner().when().get(AGENTS + "/" + id).then().statusCode(200)
                .body("notify[0].url", equalTo("https://hooks.example.com/a"));
    }

    @Test
    void moreThanTenChannelsAreRefused() {
        String eleven = IntStream.range(0, 11)
                .mapToObj(i -> "{\"type\":\"email\",\"to\":[\"ops" + i + "@example.com\"]}")
                .collect(Collectors.joining(",", "[", "]"));
        owner().body(agent("n3", eleven)).when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("notify"));
    }

    @Test
    void aChannelWithAnUnknownFieldIsRefused() {
        owner().body(agent("n4", "[{\"type\":\"email\",\"to\":[\"ops@example.com\"],\"cc\":[\"x@example.com\"]}]"))
                .when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json");
    }
}
