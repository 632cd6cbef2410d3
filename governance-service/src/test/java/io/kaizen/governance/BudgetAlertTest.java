package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.kaizen.governance.GovernanceApi.together;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Budget alert configuration (per agent, per organisation as the default) and what it drives: the thresholds
 * announced, and the notification requests published to tell people, once per threshold and period, within the
 * cooldown, exactly once under concurrent settlements.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class BudgetAlertTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";
    private static final String WEBHOOK = "https://hooks.example.com/budget/alerts";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An agent of {@code org} with a monthly budget of $1.00 and no other line. */
    private static String agentWithBudget(String org) {
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        return agent;
    }

    private static String reserve(String agent, String org, String amount) {
        return decide(agent, org, "\"estimated_cost\": " + amount).body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
    }

    private static void settle(String reservation, String amount) {
        internal().body("{\"cost_usd\": " + amount + "}").when().post("/internal/v1/reservations/" + reservation + "/settle")
                .then().statusCode(200).body("status", equalTo("settled"));
    }

    /** Reserves and settles {@code amount}: one settlement batch. */
    private static void spend(String agent, String org, String amount) {
        settle(reserve(agent, org, amount), amount);
    }

    private static ValidatableResponse putAgentAlerts(String org, String agent, String body) {
        return as(org, "org_admin").body(body).when().put("/api/v1/external-agents/" + agent + "/budget/alerts").then();
    }

    private static ValidatableResponse putOrganizationAlerts(String org, String body) {
        return as(org, "org_admin").body(body).when().put("/api/v1/policies/settings/budget-alerts").then();
    }

    private static List<JsonNode> payloads(String subject, String type) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String payload : Ledger.outboxPayloads(subject, type)) {
            nodes.add(JSON.readTree(payload));
        }
        return nodes;
    }

    private static List<Integer> thresholdsAnnounced(String subject) throws Exception {
        return payloads(subject, EventTypes.BUDGET_THRESHOLD_CROSSED).stream()
                .map(event -> event.get("threshold_percentage").asInt()).toList();
    }

    private static List<JsonNode> notifications(String subject) throws Exception {
        return payloads(subject, EventTypes.NOTIFICATION_REQUESTED);
    }

    @Test
    void configurationIsKeptPerAgentWithTheOrganisationsAsTheDefault() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        String messenger = agentWithBudget(org);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget/alerts").then().statusCode(200)
                .body("source", equalTo("default"))
                .body("external_agent_id", equalTo(agent))
                .body("thresholds", contains(0.5f, 0.75f, 0.9f, 1.0f))
                .body("alert_once_per_threshold", equalTo(true))
                .body("cooldown_minutes", equalTo(15))
                .body("include_forecast", equalTo(true))
                .body("webhook_url", nullValue())
                .body("email_recipients", empty())
                .body("channels", empty())
                .body("updated_at", nullValue());

        putOrganizationAlerts(org, "{\"thresholds\": [0.3, 0.6], \"email_recipients\": [\"ops@example.com\"],"
                + " \"cooldown_minutes\": 5}").statusCode(200)
                .body("source", equalTo("organization"))
                .body("external_agent_id", nullValue())
                .body("thresholds", contains(0.3f, 0.6f))
                .body("alert_once_per_threshold", equalTo(true))
                .body("include_forecast", equalTo(true));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget/alerts").then().statusCode(200)
                .body("source", equalTo("organization"))
                .body("thresholds", contains(0.3f, 0.6f))
                .body("email_recipients", contains("ops@example.com"))
                .body("cooldown_minutes", equalTo(5));

        String own = "{\"webhook_url\": \"" + WEBHOOK + "\", \"include_forecast\": false, \"channels\": [\"" + messenger
                + "\"], \"alert_once_per_threshold\": false}";
        putAgentAlerts(org, agent, own).statusCode(200)
                .body("source", equalTo("agent"))
                .body("thresholds", contains(0.5f, 0.75f, 0.9f, 1.0f))
                .body("webhook_url", equalTo(WEBHOOK))
                .body("channels", contains(messenger))
                .body("email_recipients", empty())
                .body("include_forecast", equalTo(false))
                .body("alert_once_per_threshold", equalTo(false));
        as(org, "viewer").when().get("/api/v1/policies/settings/budget-alerts").then().statusCode(200)
                .body("source", equalTo("organization"))
                .body("thresholds", contains(0.3f, 0.6f));
        List<JsonNode> changes = payloads(agent, EventTypes.GOVERNANCE_CONFIG_UPDATED);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).get("scope").asText()).isEqualTo("agent");
        assertThat(changes.get(0).get("changed_fields").toString()).contains("budget_alerts.webhook_url",
                "budget_alerts.channels", "budget_alerts.include_forecast");
        assertThat(payloads(org, EventTypes.GOVERNANCE_CONFIG_UPDATED)).singleElement()
                .satisfies(event -> assertThat(event.get("scope").asText()).isEqualTo("organization"));

        // the same configuration again changes nothing; one field changed is named alone
        putAgentAlerts(org, agent, own).statusCode(200);
        assertThat(payloads(agent, EventTypes.GOVERNANCE_CONFIG_UPDATED)).hasSize(1);
        putAgentAlerts(org, agent, own.replace("\"include_forecast\": false", "\"include_forecast\": false,"
                + " \"cooldown_minutes\": 30")).statusCode(200).body("cooldown_minutes", equalTo(30));
        assertThat(payloads(agent, EventTypes.GOVERNANCE_CONFIG_UPDATED)).hasSize(2).last().satisfies(event ->
                assertThat(event.get("changed_fields").toString()).isEqualTo("[\"budget_alerts.cooldown_minutes\"]"));

        as(org, "org_admin").when().delete("/api/v1/external-agents/" + agent + "/budget/alerts").then().statusCode(200)
                .body("source", equalTo("organization"))
                .body("thresholds", contains(0.3f, 0.6f));
        assertThat(payloads(agent, EventTypes.GOVERNANCE_CONFIG_UPDATED)).hasSize(3);

        // another organisation's agent is not found; a viewer cannot change the configuration
        as(newOrg(), "org_admin").when().get("/api/v1/external-agents/" + agent + "/budget/alerts").then()
                .statusCode(404).contentType("application/problem+json");
        putAgentAlerts(newOrg(), agent, "{}").statusCode(404);
        as(org, "viewer").body("{}").when().put("/api/v1/external-agents/" + agent + "/budget/alerts").then()
                .statusCode(403);
        as(org, "viewer").body("{}").when().put("/api/v1/policies/settings/budget-alerts").then().statusCode(403);
    }

    @Test
    void badConfigurationIsRefusedNamingTheField() {
        String org = newOrg();
        String agent = agentWithBudget(org);
        String stranger = agentWithBudget(newOrg());
        String tooManyThresholds = IntStream.rangeClosed(1, 11).mapToObj(i -> "0." + (10 + i)).toList().toString();
        String tooManyRecipients = IntStream.rangeClosed(1, 21).mapToObj(i -> "\"ops" + i + "@example.com\"").toList()
                .toString();
        Map<String, String> refused = Map.ofEntries(
                Map.entry("{\"thresholds\": []}", "thresholds"),
                Map.entry("{\"thresholds\": " + tooManyThresholds + "}", "thresholds"),
                Map.entry("{\"thresholds\": [0]}", "thresholds[0]"),
                Map.entry("{\"thresholds\": [-0.5]}", "thresholds[0]"),
                Map.entry("{\"thresholds\": [1.51]}", "thresholds[0]"),
                Map.entry("{\"thresholds\": [0.505]}", "thresholds[0]"),
                Map.entry("{\"thresholds\": [0.5, null]}", "thresholds[1]"),
                Map.entry("{\"thresholds\": [0.5, 0.50]}", "thresholds[1]"),
                Map.entry("{\"thresholds\": [0.75, 0.5]}", "thresholds[1]"),
                Map.entry("{\"cooldown_minutes\": -1}", "cooldown_minutes"),
                Map.entry("{\"cooldown_minutes\": 1441}", "cooldown_minutes"),
                Map.entry("{\"webhook_url\": \"ftp://hooks.example.com/x\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"file:///etc/passwd\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"/relative/path\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"not a url\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"http://10.0.0.1/hook\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"http://169.254.169.254/latest\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"http://[fc00::1]/hook\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"http://2130706433/hook\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"https://user:pw@hooks.example.com/x\"}", "webhook_url"),
                Map.entry("{\"webhook_url\": \"https://hooks.example.com/" + "a".repeat(2048) + "\"}", "webhook_url"),
                Map.entry("{\"email_recipients\": [\"not-an-address\"]}", "email_recipients[0]"),
                Map.entry("{\"email_recipients\": [\"ops@example.com\", \"Ops <ops@example.com>\"]}",
                        "email_recipients[1]"),
                Map.entry("{\"email_recipients\": [\"ops@example.com,eve@example.org\"]}", "email_recipients[0]"),
                Map.entry("{\"email_recipients\": " + tooManyRecipients + "}", "email_recipients"),
                Map.entry("{\"channels\": [\"slack\"]}", "channels[0]"),
                Map.entry("{\"channels\": [\"" + PrefixedId.next(PrefixedId.AGENT) + "\"]}", "channels[0]"),
                Map.entry("{\"channels\": [\"" + agent + "\", \"" + stranger + "\"]}", "channels[1]"),
                Map.entry("{\"channels\": [\"" + agent + "\", \"" + agent + "\"]}", "channels[1]"));
        refused.forEach((body, field) -> {
            putAgentAlerts(org, agent, body).statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("field", equalTo(field));
            putOrganizationAlerts(org, body).statusCode(400).body("field", equalTo(field));
        });
        // (loopback is refused too, unless kaizen.egress.allow-loopback is on, as in the devstack: BudgetAlertRulesTest)
        // bodies that are not a configuration at all
        for (String body : List.of("{\"threshold\": [0.5]}", "{\"cooldown_minutes\": \"soon\"}", "[]", "{")) {
            putAgentAlerts(org, agent, body).statusCode(400).contentType("application/problem+json");
        }
        as(org, "org_admin").when().get("/api/v1/external-agents/" + agent + "/budget/alerts").then().statusCode(200)
                .body("source", equalTo("default"));
    }

    @Test
    void withoutConfigurationTheDefaultThresholdsAreAnnouncedAndNobodyIsTold() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        spend(agent, org, "0.80");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50, 75);
        JsonNode crossed = payloads(agent, EventTypes.BUDGET_THRESHOLD_CROSSED).get(1);
        assertThat(crossed.get("spent_usd").decimalValue()).isEqualByComparingTo("0.80");
        assertThat(crossed.get("forecast_usd").decimalValue()).isGreaterThanOrEqualTo(crossed.get("spent_usd").decimalValue());
        assertThat(notifications(agent)).isEmpty();
    }

    @Test
    void configuredThresholdsAreAnnouncedAndTheOrganisationsApplyToItsBudget() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        as(org, "org_admin").body("{\"monthly_budget_usd\": 1.00}").when().patch("/api/v1/policies/settings").then()
                .statusCode(200);
        putOrganizationAlerts(org, "{\"thresholds\": [0.3, 0.6]}").statusCode(200);
        putAgentAlerts(org, agent, "{\"thresholds\": [0.5], \"include_forecast\": false}").statusCode(200);

        spend(agent, org, "0.35");
        assertThat(thresholdsAnnounced(agent)).isEmpty();
        assertThat(thresholdsAnnounced(org)).containsExactly(30);
        spend(agent, org, "0.20");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50);
        assertThat(thresholdsAnnounced(org)).containsExactly(30);
        spend(agent, org, "0.10");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50);
        assertThat(thresholdsAnnounced(org)).containsExactly(30, 60);

        JsonNode agentEvent = payloads(agent, EventTypes.BUDGET_THRESHOLD_CROSSED).get(0);
        assertThat(agentEvent.get("forecast_usd").isNull()).isTrue();
        JsonNode organizationEvent = payloads(org, EventTypes.BUDGET_THRESHOLD_CROSSED).get(1);
        assertThat(organizationEvent.get("scope").asText()).isEqualTo("organization_monthly");
        assertThat(organizationEvent.get("forecast_usd").isNull()).isFalse();
        assertThat(notifications(agent)).isEmpty();
        assertThat(notifications(org)).isEmpty();
    }

    @Test
    void eachThresholdIsToldOncePerPeriod() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        putAgentAlerts(org, agent, "{\"thresholds\": [0.5, 0.9], \"cooldown_minutes\": 0,"
                + " \"email_recipients\": [\"ops@example.com\"]}").statusCode(200);
        spend(agent, org, "0.60");
        spend(agent, org, "0.10");
        spend(agent, org, "0.10");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50);
        assertThat(notifications(agent)).singleElement().satisfies(notification -> assertThat(
                notification.at("/message/title").asText()).startsWith("Budget 50 % used: "));
        spend(agent, org, "0.15");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50, 90);
        List<JsonNode> told = notifications(agent);
        assertThat(told).hasSize(2);
        assertThat(told.get(1).at("/message/title").asText()).startsWith("Budget 90 % used: ");
        assertThat(told.get(1).at("/message/status").asText()).isEqualTo("info");
    }

    @Test
    void withoutOncePerThresholdAThresholdStillReachedIsToldAgainAfterTheCooldown() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        putAgentAlerts(org, agent, "{\"thresholds\": [0.5], \"cooldown_minutes\": 0, \"alert_once_per_threshold\": false,"
                + " \"webhook_url\": \"" + WEBHOOK + "\"}").statusCode(200);
        spend(agent, org, "0.60");
        spend(agent, org, "0.05");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50);
        List<JsonNode> told = notifications(agent);
        assertThat(told).hasSize(2);
        assertThat(told.get(1).at("/message/text").asText()).startsWith("Reminder: ");
        assertThat(told.get(1).get("notification_id").asText()).isNotEqualTo(told.get(0).get("notification_id").asText());
    }

    @Test
    void aCrossingInsideTheCooldownIsAnnouncedButNotToldUnlessItReachesTheLimit() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        putAgentAlerts(org, agent, "{\"thresholds\": [0.25, 0.5, 1.0], \"cooldown_minutes\": 60,"
                + " \"email_recipients\": [\"ops@example.com\"]}").statusCode(200);
        spend(agent, org, "0.30");
        spend(agent, org, "0.30");
        assertThat(thresholdsAnnounced(agent)).containsExactly(25, 50);
        assertThat(notifications(agent)).singleElement().satisfies(notification -> assertThat(
                notification.at("/message/title").asText()).startsWith("Budget 25 % used: "));
        spend(agent, org, "0.40");
        assertThat(thresholdsAnnounced(agent)).containsExactly(25, 50, 100);
        List<JsonNode> told = notifications(agent);
        assertThat(told).hasSize(2);
        assertThat(told.get(1).at("/message/title").asText()).startsWith("Budget 100 % used: ");
        assertThat(told.get(1).at("/message/status").asText()).isEqualTo("failed");
    }

    @Test
    void settlementsCrossingTogetherAnnounceAndTellOnce() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        String messenger = agentWithBudget(org);
        putAgentAlerts(org, agent, "{\"thresholds\": [0.25], \"cooldown_minutes\": 0, \"email_recipients\":"
                + " [\"ops@example.com\"], \"webhook_url\": \"" + WEBHOOK + "\", \"channels\": [\"" + messenger + "\"]}")
                .statusCode(200);
        List<String> reservations = List.of(reserve(agent, org, "0.25"), reserve(agent, org, "0.25"),
                reserve(agent, org, "0.25"), reserve(agent, org, "0.25"));
        List<String> queue = new ArrayList<>(reservations);
        // each settlement alone takes spend to 25 % or more: all four cross together
        together(4, () -> {
            String reservation;
            synchronized (queue) {
                reservation = queue.remove(0);
            }
            settle(reservation, "0.25");
            return reservation;
        });
        assertThat(thresholdsAnnounced(agent)).containsExactly(25);
        List<JsonNode> told = notifications(agent);
        assertThat(told).extracting(notification -> notification.at("/channel/type").asText())
                .containsExactlyInAnyOrder("email", "webhook", "agent");
        assertThat(told).extracting(notification -> notification.get("notification_id").asText()).doesNotHaveDuplicates();
    }

    @Test
    void notificationRequestsArePublishedOnePerChannel() throws Exception {
        String org = newOrg();
        String agent = agentWithBudget(org);
        String messenger = agentWithBudget(org);
        named(agent, org, "Support bot");
        putAgentAlerts(org, agent, "{\"email_recipients\": [\"ops@example.com\", \"finance@example.com\"],"
                + " \"webhook_url\": \"" + WEBHOOK + "\", \"channels\": [\"" + messenger + "\"]}").statusCode(200);
        spend(agent, org, "0.80");
        assertThat(thresholdsAnnounced(agent)).containsExactly(50, 75);

        List<ConsumerRecord<String, String>> published = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                Topics.NOTIFICATIONS, record -> agent.equals(record.key()), 3, Duration.ofSeconds(60));
        assertThat(published).hasSize(3);
        List<JsonNode> told = new ArrayList<>();
        for (ConsumerRecord<String, String> record : published) {
            assertThat(TopicReader.header(record, "ce_type")).isEqualTo(EventTypes.NOTIFICATION_REQUESTED);
            assertThat(TopicReader.header(record, "ce_organizationid")).isEqualTo(org);
            assertThat(TopicReader.header(record, "ce_source")).isEqualTo("/kaizen/governance-service");
            told.add(JSON.readTree(record.value()));
        }
        assertThat(told).extracting(notification -> notification.at("/channel/type").asText())
                .containsExactlyInAnyOrder("email", "webhook", "agent");
        for (JsonNode notification : told) {
            assertThat(notification.get("notification_id").asText()).startsWith("ntf_");
            assertThat(notification.get("organization_id").asText()).isEqualTo(org);
            assertThat(notification.get("subject").asText()).isEqualTo("budget.threshold_crossed");
            assertThat(notification.at("/message/title").asText()).isEqualTo("Budget 75 % used: Support bot (monthly)");
            assertThat(notification.at("/message/status").asText()).isEqualTo("info");
            assertThat(notification.at("/message/text").asText()).startsWith(
                    "Support bot has used 75 % of its monthly budget: $0.80 of $1.00 spent, $0.20 remaining");
            JsonNode facts = notification.at("/message/facts");
            assertThat(facts.findValuesAsText("name")).containsExactly("Spent", "Limit", "Remaining", "Period",
                    "Forecast");
            assertThat(facts.get(0).get("value").asText()).isEqualTo("$0.80");
            assertThat(facts.get(1).get("value").asText()).isEqualTo("$1.00");
            assertThat(facts.get(2).get("value").asText()).isEqualTo("$0.20");
            JsonNode channel = notification.get("channel");
            switch (channel.get("type").asText()) {
                case "email" -> assertThat(channel.get("to").toString())
                        .isEqualTo("[\"ops@example.com\",\"finance@example.com\"]");
                case "webhook" -> assertThat(channel.get("url").asText()).isEqualTo(WEBHOOK);
                default -> assertThat(channel.get("agent_id").asText()).isEqualTo(messenger);
            }
        }
    }

    /** Governance learns an agent's name from its events, as registry's relay publishes them. */
    private static void named(String agent, String org, String name) {
        Instant now = Instant.now();
        String data = """
                {"agent_id": "%s", "organization_id": "%s", "name": "%s", "platform": "custom_http", "status": "active",
                 "environment": "production", "tags": [], "actor": "u1", "occurred_at": "%s", "changed_fields": ["name"]}
                """.formatted(agent, org, name, now);
        Ledger.publish(Topics.AGENTS, new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/registry-service",
                EventTypes.AGENT_UPDATED, agent, org, now, data));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                Ledger.row("select name from agent_governance where agent_id = ?", agent)).containsEntry("name", name));
    }
}
