package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Registration, change and deletion per platform and auth type. Governance-service is not running in this JVM:
 * the devstack sink stands in for it and is told to fail where a test needs governance to be unavailable.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class AgentLifecycleTest {

    private static final String AGENTS = "/api/v1/external-agents";
    private final String org = "org_" + UUID.randomUUID();

    @AfterEach
    void resetSink() {
        DevStackTestResource.stack().sink().reset();
    }

    private RequestSpecification as(String... roles) {
        String token = DevStackTestResource.stack().keys().token(org, List.of(roles), "alice", null, Duration.ofMinutes(5));
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    private RequestSpecification internal() {
        return given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken());
    }

    private String create(String body) {
        return as("org_owner").body(body).when().post(AGENTS).then().statusCode(201).extract().path("id");
    }

    @Test
    void eachPlatformRegistersWithItsSecretsMaskedAndStoredEncrypted() {
        String slack = create("""
                {"name": "Slack alerts", "platform": "slack",
                 "platform_config": {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX", "channel": "#ops"}}
                """);
        as("viewer").when().get(AGENTS + "/" + slack).then().statusCode(200)
                .body("platform_config.webhook_url", equalTo("***"))
                .body("platform_config.channel", equalTo("#ops"))
                .body("endpoint_url", equalTo("https://hooks.slack.com"))
                .body("auth_config.auth_type", equalTo("none"))
                .body("auth_config.credentials", equalTo("***"));
        internal().when().get("/internal/v1/agents/" + slack).then().statusCode(200)
                .body("platform_config.webhook_url", equalTo("https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"));

        String telegram = create("""
                {"name": "Telegram bot", "platform": "telegram",
                 "platform_config": {"bot_token": "123456789:ABCdefGhIJKlmNoPQRsTUVwxyZ12345", "chat_id": "-1001234567890"}}
                """);
        as("viewer").when().get(AGENTS + "/" + telegram).then().statusCode(200)
                .body("platform_config.bot_token", equalTo("***"))
                .body("platform_config.chat_id", equalTo("-1001234567890"))
                .body("endpoint_url", equalTo("https://api.telegram.org"));

        String notion = create("""
                {"name": "Notion log", "platform": "notion",
                 "platform_config": {"database_id": "0123456789abcdef0123456789abcdef"},
                 "auth_config": {"auth_type": "bearer_token", "credentials": {"token": "secret_notion_integration_123"}}}
                """);
        internal().when().get("/internal/v1/agents/" + notion).then().statusCode(200)
                .body("auth_type", equalTo("bearer_token"))
                .body("credentials.token", equalTo("secret_notion_integration_123"))
                .body("endpoint_url", equalTo("https://api.notion.com"));

        String custom = create("""
                {"name": "Pricing API", "platform": "custom_http", "endpoint_url": "https://pricing.example.com/invoke",
                 "platform_config": {"region": "eu", "api_token": "tok-abc-123"},
                 "auth_config": {"auth_type": "api_key", "credentials": {"api_key": "k-123456", "header_name": "X-Key"}}}
                """);
        as("viewer").when().get(AGENTS + "/" + custom).then().statusCode(200)
                .body("platform_config.region", equalTo("eu"))
                .body("platform_config.api_token", equalTo("***"));
        internal().when().get("/internal/v1/agents/" + custom).then().statusCode(200)
                .body("platform_config.api_token", equalTo("tok-abc-123"))
                .body("credentials.api_key", equalTo("k-123456"))
                .body("credentials.header_name", equalTo("X-Key"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            teams without webhook        | {"name":"t","platform":"teams","platform_config":{}}                                                   | platform_config.webhook_url' is required
            discord bad webhook scheme   | {"name":"d","platform":"discord","platform_config":{"webhook_url":"ftp://discord.com/x"}}              | platform_config.webhook_url' is not an allowed URL
            slack private address        | {"name":"s","platform":"slack","platform_config":{"webhook_url":"https://10.0.0.8/hook"}}              | platform_config.webhook_url' is not an allowed URL
            slack metadata address       | {"name":"s","platform":"slack","platform_config":{"webhook_url":"http://169.254.169.254/latest"}}      | platform_config.webhook_url' is not an allowed URL
            telegram bad token           | {"name":"g","platform":"telegram","platform_config":{"bot_token":"nope","chat_id":"1"}}                | platform_config.bot_token' must be
            telegram html parse mode     | {"name":"g","platform":"telegram","platform_config":{"bot_token":"123456789:ABCdefGhIJKlmNoPQRsTUVwxyZ12345","chat_id":"1","parse_mode":"HTML"}} | platform_config.parse_mode' must be MarkdownV2
            telegram missing chat        | {"name":"g","platform":"telegram","platform_config":{"bot_token":"123456789:ABCdefGhIJKlmNoPQRsTUVwxyZ12345"}} | platform_config.chat_id' is required
            notion bad database          | {"name":"n","platform":"notion","platform_config":{"database_id":"x","token":"secret_notion_integration_123"}} | platform_config.database_id' must be
            notion without token         | {"name":"n","platform":"notion","platform_config":{"database_id":"0123456789abcdef0123456789abcdef"}}  | platform_config.token' is required
            unknown platform field       | {"name":"s","platform":"slack","platform_config":{"webhook_url":"https://hooks.slack.com/x","colour":"red"}} | platform_config.colour'
            custom without endpoint      | {"name":"c","platform":"custom_http"}                                                                 | endpoint_url' is required
            custom loopback endpoint     | {"name":"c","platform":"custom_http","endpoint_url":"http://[::ffff:10.0.0.1]/x"}                     | endpoint_url' is not an allowed URL
            api_key without key          | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"api_key","credentials":{}}} | auth_config.credentials.api_key' is required
            bearer without token         | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"bearer_token"}} | auth_config.credentials.token' is required
            basic without password       | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"basic","credentials":{"username":"u"}}} | auth_config.credentials.password' is required
            oauth2 private token url     | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"oauth2","credentials":{"client_id":"i","client_secret":"s","token_url":"http://192.168.0.1/token"}}} | auth_config.credentials.token_url' is not an allowed URL
            discord name with discord    | {"name":"d","platform":"discord","platform_config":{"webhook_url":"https://discord.com/api/webhooks/1/t","username":"My Discord Bot"}} | platform_config.username' must be 1–80 characters without
            custom with gateway header   | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"custom","credentials":{"headers":{"X-Kaizen-Invocation-ID":"forged"}}}} | must not set the X-Kaizen-Invocation-ID header
            custom with signature header | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"custom","credentials":{"headers":{"webhook-signature":"v1,forged"}}}} | must not set the webhook-signature header
            api_key in traceparent       | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"api_key","credentials":{"api_key":"k-1234567","header_name":"traceparent"}}} | must not name the traceparent header
            custom with host header      | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"custom","credentials":{"headers":{"Host":"evil"}}}} | must not set the Host header
            hmac short secret            | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"hmac","credentials":{"secret_key":"short"}}} | at least 16 characters
            hmac whsec not base64        | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"hmac","credentials":{"secret_key":"whsec_not*base64*at*all"}}} | secret_key' must be base64 after whsec_
            none with credentials        | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"none","credentials":{"token":"x"}}} | auth_config.credentials.token'
            unknown auth type            | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","auth_config":{"auth_type":"kerberos"}} | auth_config.auth_type' must be one of
            negative budget              | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","max_monthly_cost":-0.5} | max_monthly_cost' must not be negative (-1 for unlimited)
            negative execution limit     | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","monthly_execution_limit":-2} | monthly_execution_limit
            negative weekly budget       | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","max_weekly_cost":-0.5} | max_weekly_cost' must not be negative (-1 for unlimited)
            weekly budget too precise    | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","max_weekly_cost":1.0000001} | max_weekly_cost
            negative weekly executions   | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","weekly_execution_limit":-2} | weekly_execution_limit
            rollover above the limit     | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","max_rollover_percentage":1.5} | max_rollover_percentage
            negative rollover            | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","max_rollover_percentage":-0.1} | max_rollover_percentage
            rollover not a boolean       | {"name":"c","platform":"custom_http","endpoint_url":"https://a.example.com","rollover_unused":"sometimes"} | rollover_unused
            """)
    void invalidConfigurationsNameTheField(String label, String body, String detail) {
        as("org_owner").body(body).when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", containsString(detail));
        as("viewer").when().get(AGENTS).then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void everyAuthTypeIsAccepted() {
        List<String> configs = List.of(
                "{\"auth_type\": \"none\"}",
                "{\"auth_type\": \"api_key\", \"credentials\": {\"api_key\": \"key-1\"}}",
                "{\"auth_type\": \"bearer_token\", \"credentials\": {\"token\": \"tok-1\"}}",
                "{\"auth_type\": \"basic\", \"credentials\": {\"username\": \"u\", \"password\": \"p\"}}",
                "{\"auth_type\": \"oauth2\", \"credentials\": {\"client_id\": \"c\", \"client_secret\": \"s\", \"token_url\": \"https://login.example.com/token\", \"scope\": \"read\"}}",
                "{\"auth_type\": \"custom\", \"credentials\": {\"headers\": {\"X-Tenant\": \"acme\", \"X-Secret\": \"v\"}}}",
                "{\"auth_type\": \"hmac\", \"credentials\": {\"secret_key\": \"0123456789abcdef\", \"algorithm\": \"sha512\"}}",
                "{\"auth_type\": \"hmac\", \"credentials\": {\"secret_key\": \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}}");
        for (int i = 0; i < configs.size(); i++) {
            String id = create("{\"name\": \"auth " + i + "\", \"platform\": \"custom_http\", \"endpoint_url\": "
                    + "\"https://a.example.com\", \"auth_config\": " + configs.get(i) + "}");
            as("viewer").when().get(AGENTS + "/" + id).then().statusCode(200).body("auth_config.credentials", equalTo("***"));
        }
    }

    @Test
    void patchIsPartialRotatesCredentialsAndRefusesPlatformChanges() {
        String id = create("""
                {"name": "Support bot", "description": "v1", "platform": "custom_http", "endpoint_url": "https://support.example.com",
                 "tags": ["support"], "auth_config": {"auth_type": "bearer_token", "credentials": {"token": "old-token-1"}}}
                """);
        as("developer").body("{\"description\": \"v2\"}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200)
                .body("description", equalTo("v2"))
                .body("name", equalTo("Support bot"))
                .body("tags", hasItems("support"))
                .body("updated_at", notNullValue());
        internal().when().get("/internal/v1/agents/" + id).then().body("credentials.token", equalTo("old-token-1"));

        as("developer").body("{\"auth_config\": {\"credentials\": {\"token\": \"new-token-2\"}}}")
                .when().patch(AGENTS + "/" + id)
                .then().statusCode(200).body("auth_config.credentials", equalTo("***"));
        internal().when().get("/internal/v1/agents/" + id).then()
                .body("auth_type", equalTo("bearer_token")).body("credentials.token", equalTo("new-token-2"));

        as("developer").body("{\"platform\": \"slack\"}").when().patch(AGENTS + "/" + id)
                .then().statusCode(400).body("detail", containsString("'platform' cannot be changed"));
        as("developer").body("{\"status\": \"inactive\"}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200).body("status", equalTo("inactive"));
        as("developer").body("{\"status\": \"archived\"}").when().patch(AGENTS + "/" + id)
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void renamingToATakenNameConflictsEvenWhenRenamesRace() throws Exception {
        create("{\"name\": \"Alpha\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example.com\"}");
        String beta = create("{\"name\": \"Beta\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example.com\"}");
        as("developer").body("{\"name\": \"ALPHA\"}").when().patch(AGENTS + "/" + beta)
                .then().statusCode(409).contentType("application/problem+json").body("error_code", equalTo("CONFLICT"));

        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(create("{\"name\": \"Racer " + i + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example.com\"}"));
        }
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(ids.size());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(ids.size());
        List<java.util.concurrent.Future<Integer>> codes = new java.util.ArrayList<>();
        for (String id : ids) {
            codes.add(pool.submit(() -> {
                barrier.await();
                return as("developer").body("{\"name\": \"Winner\"}").when().patch(AGENTS + "/" + id)
                        .then().extract().statusCode();
            }));
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var code : codes) {
            statuses.add(code.get());
        }
        pool.shutdown();
        assertThat(statuses).containsOnly(200, 409);
        assertThat(statuses.stream().filter(c -> c == 200)).hasSize(1);
    }

    @Test
    void maskedSecretsSentBackKeepTheStoredSecret() {
        String id = create("""
                {"name": "Discord feed", "platform": "discord",
                 "platform_config": {"webhook_url": "https://discord.com/api/webhooks/123/abcSECRET", "username": "Kaizen"}}
                """);
        as("developer").body("{\"platform_config\": {\"webhook_url\": \"***\", \"username\": \"Renamed\"}}")
                .when().patch(AGENTS + "/" + id).then().statusCode(200).body("platform_config.username", equalTo("Renamed"));
        internal().when().get("/internal/v1/agents/" + id).then()
                .body("platform_config.webhook_url", equalTo("https://discord.com/api/webhooks/123/abcSECRET"));
    }

    @Test
    void deleteIsSoftIdempotentAndHiddenFromLists() {
        String id = create("{\"name\": \"Temp\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://t.example.com\"}");
        as("org_admin").when().delete(AGENTS + "/" + id).then().statusCode(204);
        as("org_admin").when().delete(AGENTS + "/" + id).then().statusCode(204);
        as("viewer").when().get(AGENTS).then().statusCode(200).body("items.id", not(hasItems(id)));
        as("viewer").queryParam("status", "deleted").when().get(AGENTS).then().statusCode(200)
                .body("items.id", hasItems(id)).body("items[0].status", equalTo("deleted"));
        as("viewer").when().get(AGENTS + "/" + id).then().statusCode(200).body("status", equalTo("deleted"));
        as("developer").body("{\"description\": \"x\"}").when().patch(AGENTS + "/" + id).then().statusCode(409);
        // the name is free again
        create("{\"name\": \"Temp\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://t.example.com\"}");
    }

    @Test
    void listsPageFilterSearchAndSort() {
        for (int i = 1; i <= 5; i++) {
            create("{\"name\": \"Bot " + i + "\", \"description\": \"" + (i % 2 == 0 ? "finance 100%" : "ops")
                    + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://b.example.com\", \"tags\": [\""
                    + (i <= 2 ? "blue" : "green") + "\"], \"environment\": \"" + (i == 5 ? "staging" : "production") + "\"}");
        }
        create("{\"name\": \"Chat\", \"platform\": \"slack\", \"platform_config\": {\"webhook_url\": \"https://hooks.slack.com/services/A/B/C\"}}");

        DevStackTestResource.stack().sink().reset();
        List<String> pageIds = as("viewer").queryParam("limit", 4).when().get(AGENTS).then().statusCode(200)
                .extract().path("items.id");
        var usageCalls = DevStackTestResource.stack().sink().requests().stream()
                .filter(r -> r.path().equals("/internal/v1/agents/usage")).toList();
        assertThat(usageCalls).as("one usage call to governance per page").hasSize(1);
        assertThat(usageCalls.get(0).body()).contains(pageIds);

        as("viewer").queryParam("limit", 2).queryParam("page", 2).queryParam("sort", "name").when().get(AGENTS)
                .then().statusCode(200)
                .body("total", equalTo(6)).body("page", equalTo(2)).body("limit", equalTo(2)).body("has_more", equalTo(true))
                .body("items.name", equalTo(List.of("Bot 3", "Bot 4")));
        as("viewer").queryParam("platform", "slack").when().get(AGENTS).then().body("items.name", equalTo(List.of("Chat")));
        as("viewer").queryParam("tag", "blue").queryParam("sort", "-name").when().get(AGENTS)
                .then().body("items.name", equalTo(List.of("Bot 2", "Bot 1")));
        as("viewer").queryParam("environment", "staging").when().get(AGENTS).then().body("items.name", equalTo(List.of("Bot 5")));
        as("viewer").queryParam("search", "FINANCE 100%").queryParam("sort", "name").when().get(AGENTS)
                .then().body("items.name", equalTo(List.of("Bot 2", "Bot 4")));
        // % and _ are literal in a search, not wildcards: only the two descriptions with "%" match
        as("viewer").queryParam("search", "%").when().get(AGENTS).then().body("total", equalTo(2));
        as("viewer").queryParam("search", "_").when().get(AGENTS).then().body("total", equalTo(0));
        as("viewer").queryParam("limit", 101).when().get(AGENTS).then().statusCode(400).contentType("application/problem+json");
        as("viewer").queryParam("sort", "password").when().get(AGENTS).then().statusCode(400);
        as("viewer").queryParam("platform", "myspace").when().get(AGENTS).then().statusCode(400);
        as("viewer").queryParam("page", "two").when().get(AGENTS).then().statusCode(400)
                .body("detail", containsString("'page'"));
        as("viewer").queryParam("page", "99999999999").when().get(AGENTS).then().statusCode(400);
    }

    @Test
    void nothingIsStoredWhenGovernanceCannotTakeTheSettings() {
        DevStackTestResource.stack().sink().respond(503, 0, "{\"error\": \"down\"}", 1);
        as("org_owner").body("{\"name\": \"Budgeted\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://b.example.com\", \"max_monthly_cost\": 50.00, \"requests_per_minute\": 5}")
                .when().post(AGENTS)
                .then().statusCode(503).contentType("application/problem+json")
                .body("error_code", equalTo("GOVERNANCE_UNAVAILABLE"));
        as("viewer").when().get(AGENTS).then().statusCode(200).body("total", equalTo(0));

        var put = DevStackTestResource.stack().sink().requests().stream()
                .filter(r -> r.method().equals("PUT")).findFirst().orElseThrow();
        assertThat(put.path()).matches("/internal/v1/agents/agt_[0-9A-Z]{26}/governance");
        assertThat(put.header("X-Kaizen-Service-Token")).isEqualTo(DevStackTestResource.stack().serviceToken());
        assertThat(put.body()).contains("\"max_monthly_cost\":50.00").contains("\"requests_per_minute\":5")
                .contains("\"organization_id\":\"" + org + "\"");

        // with governance back, the same request succeeds and the usage columns are empty but present
        String id = as("org_owner").body("{\"name\": \"Budgeted\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://b.example.com\", \"max_monthly_cost\": 50.00}")
                .when().post(AGENTS).then().statusCode(201).extract().path("id");
        as("viewer").when().get(AGENTS).then().body("items[0].id", equalTo(id)).body("items[0].current_monthly_cost", nullValue());
    }

    @Test
    void aChangeForwardsOnlyItsGovernanceFieldsAndWritesBackNothingItRead() {
        String id = create("{\"name\": \"Forwarded\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://f.example.com\", \"max_monthly_cost\": 50.00}");
        DevStackTestResource.stack().sink().reset();

        as("developer").body("{\"requests_per_minute\": 7, \"max_daily_cost\": -1}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200);
        var calls = DevStackTestResource.stack().sink().requests();
        // one forwarded change and no read of the current settings to merge into it
        assertThat(calls).extracting(r -> r.method() + " " + r.path())
                .containsExactly("PATCH /internal/v1/agents/" + id + "/governance");
        var forwarded = (io.vertx.core.json.JsonObject) calls.get(0).json();
        assertThat(forwarded.getString("organization_id")).isEqualTo(org);
        assertThat(forwarded.getInteger("requests_per_minute")).isEqualTo(7);
        assertThat(forwarded.getValue("max_daily_cost").toString()).isEqualTo("-1");
        assertThat(forwarded.getValue("max_monthly_cost")).as("a field not given is not sent").isNull();
        assertThat(forwarded.getValue("cost_per_execution")).isNull();

        DevStackTestResource.stack().sink().reset();
        as("developer").body("{\"description\": \"nothing for governance\"}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200);
        assertThat(DevStackTestResource.stack().sink().requests()).noneMatch(r -> r.path().endsWith("/governance"));
    }

    @Test
    void tokenRatesAreForwardedExactlyAndShownAsGovernanceHoldsThem() {
        // governance's answer to the write is what the agent answer shows
        DevStackTestResource.stack().sink().respond(200, 0, """
                {"organization_id": "%s", "input_token_rate": 0.00000015, "output_token_rate": 0.00003,
                 "base_invocation_cost": 0.001}
                """.formatted(org), 1);
        String id = as("org_owner").body("{\"name\": \"Priced\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://p.example.com\", \"input_token_rate\": 0.00000015, \"base_invocation_cost\": 0.001}")
                .when().post(AGENTS).then().statusCode(201)
                .body("input_token_rate", equalTo(0.00000015f))
                .body("output_token_rate", equalTo(0.00003f))
                .body("base_invocation_cost", equalTo(0.001f))
                .extract().path("id");
        var put = DevStackTestResource.stack().sink().requests().stream()
                .filter(r -> r.method().equals("PUT")).findFirst().orElseThrow();
        var written = (io.vertx.core.json.JsonObject) put.json();
        assertThat(new BigDecimal(written.getValue("input_token_rate").toString())).isEqualByComparingTo("0.00000015");
        assertThat(new BigDecimal(written.getValue("base_invocation_cost").toString())).isEqualByComparingTo("0.001");
        assertThat(written.getValue("output_token_rate")).as("absent: the configured default").isNull();

        DevStackTestResource.stack().sink().reset();
        as("developer").body("{\"output_token_rate\": 0.00004}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200);
        var forwarded = (io.vertx.core.json.JsonObject) DevStackTestResource.stack().sink().requests().get(0).json();
        assertThat(new BigDecimal(forwarded.getValue("output_token_rate").toString())).isEqualByComparingTo("0.00004");
        assertThat(forwarded.getValue("input_token_rate")).as("a rate not given is not sent").isNull();
    }

    @Test
    void weeklyBudgetAndRolloverAreForwardedAndShownAsGovernanceHoldsThem() {
        // governance's answer to the write is what the agent answer shows
        DevStackTestResource.stack().sink().respond(200, 0, """
                {"organization_id": "%s", "max_weekly_cost": 25.5, "weekly_execution_limit": 70,
                 "rollover_unused": true, "max_rollover_percentage": 0.1}
                """.formatted(org), 1);
        String id = as("org_owner").body("{\"name\": \"Weekly\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://w.example.com\", \"max_weekly_cost\": 25.5, \"weekly_execution_limit\": 70,"
                + " \"rollover_unused\": true, \"max_rollover_percentage\": 0.1}")
                .when().post(AGENTS).then().statusCode(201)
                .body("max_weekly_cost", equalTo(25.5f))
                .body("weekly_execution_limit", equalTo(70))
                .body("rollover_unused", equalTo(true))
                .body("max_rollover_percentage", equalTo(0.1f))
                .extract().path("id");
        var put = DevStackTestResource.stack().sink().requests().stream()
                .filter(r -> r.method().equals("PUT")).findFirst().orElseThrow();
        var written = (io.vertx.core.json.JsonObject) put.json();
        assertThat(new BigDecimal(written.getValue("max_weekly_cost").toString())).isEqualByComparingTo("25.5");
        assertThat(written.getInteger("weekly_execution_limit")).isEqualTo(70);
        assertThat(written.getBoolean("rollover_unused")).isTrue();
        assertThat(new BigDecimal(written.getValue("max_rollover_percentage").toString())).isEqualByComparingTo("0.1");

        DevStackTestResource.stack().sink().reset();
        as("developer").body("{\"rollover_unused\": false, \"max_weekly_cost\": -1}").when().patch(AGENTS + "/" + id)
                .then().statusCode(200);
        var calls = DevStackTestResource.stack().sink().requests();
        assertThat(calls).extracting(r -> r.method() + " " + r.path())
                .containsExactly("PATCH /internal/v1/agents/" + id + "/governance");
        var forwarded = (io.vertx.core.json.JsonObject) calls.get(0).json();
        assertThat(forwarded.getBoolean("rollover_unused")).isFalse();
        assertThat(forwarded.getValue("max_weekly_cost").toString()).isEqualTo("-1");
        assertThat(forwarded.getValue("weekly_execution_limit")).as("a field not given is not sent").isNull();
        assertThat(forwarded.getValue("max_rollover_percentage")).isNull();

        DevStackTestResource.stack().sink().reset();
        as("developer").body("{\"weekly_execution_limit\": -2}").when().patch(AGENTS + "/" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("weekly_execution_limit"));
        as("developer").body("{\"max_rollover_percentage\": 0.12345}").when().patch(AGENTS + "/" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("max_rollover_percentage"));
        assertThat(DevStackTestResource.stack().sink().requests()).as("nothing was forwarded to governance").isEmpty();
    }

    @Test
    void badTokenRatesAreRefusedBeforeAnythingIsStoredOrForwarded() {
        String id = create("{\"name\": \"Unpriced\", \"platform\": \"custom_http\", \"endpoint_url\": "
                + "\"https://u.example.com\"}");
        DevStackTestResource.stack().sink().reset();
        for (String field : List.of("input_token_rate", "output_token_rate", "base_invocation_cost")) {
            for (String value : List.of("-0.00001", "NaN", "1e400", "\"0.00001\"", "1e-999999999", "true", "[1]",
                    field.equals("base_invocation_cost") ? "1000000.01" : "1.5")) {
                byte[] create = ("{\"name\": \"Bad " + field + "\", \"platform\": \"custom_http\", \"endpoint_url\": "
                        + "\"https://b.example.com\", \"" + field + "\": " + value + "}").getBytes(StandardCharsets.UTF_8);
                as("org_owner").body(create).when().post(AGENTS)
                        .then().statusCode(400).contentType("application/problem+json")
                        .body("error_code", equalTo("VALIDATION_ERROR"))
                        .body("request_id", notNullValue());
                byte[] patch = ("{\"" + field + "\": " + value + "}").getBytes(StandardCharsets.UTF_8);
                as("developer").body(patch).when().patch(AGENTS + "/" + id)
                        .then().statusCode(400).contentType("application/problem+json")
                        .body("error_code", equalTo("VALIDATION_ERROR"));
            }
        }
        // twelve decimals is the precision of a rate; thirteen is refused
        as("developer").body("{\"input_token_rate\": 0.0000000000001}").when().patch(AGENTS + "/" + id)
                .then().statusCode(400).body("detail", containsString("input_token_rate"));
        assertThat(DevStackTestResource.stack().sink().requests()).as("nothing was forwarded to governance").isEmpty();
        as("viewer").when().get(AGENTS).then().statusCode(200).body("total", equalTo(1));
    }
}
