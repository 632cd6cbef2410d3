package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.notifications;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.kaizen.approval.ApprovalApi.workflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Approvers are told of a new request on {@code kaizen.notifications.v1}, one notification per channel of its
 * workflow, each with a link of its own approver; the notification channels are validated when a workflow is stored.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalNotificationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEBHOOK = "https://hooks.example.com/approvals";

    @Test
    void anOpenedRequestIsToldOnEveryChannelWithALinkOfItsApprover() throws Exception {
        String org = newOrg();
        String messenger = newAgent();
        workflow(org, "default", """
                {"approver_users": ["alice@example.com", "bob"],
                 "notification_channels": [{"type": "email", "to": "alice@example.com"},
                   {"type": "agent", "agent_id": "%s", "approver": "bob"},
                   {"type": "webhook", "url": "%s", "approver": "bob"}]}""".formatted(messenger, WEBHOOK));
        String agent = newAgent();
        String id = opened(org, agent, "dev-1");

        List<ConsumerRecord<String, String>> published = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                Topics.NOTIFICATIONS, record -> id.equals(record.key()), 3, Duration.ofSeconds(90));
        assertThat(published).hasSize(3);
        List<JsonNode> told = new ArrayList<>();
        for (ConsumerRecord<String, String> record : published) {
            assertThat(TopicReader.header(record, "ce_type")).isEqualTo(EventTypes.NOTIFICATION_REQUESTED);
            assertThat(TopicReader.header(record, "ce_organizationid")).isEqualTo(org);
            assertThat(TopicReader.header(record, "ce_source")).isEqualTo("/kaizen/approval-service");
            // the payload summary is masked, and left out of notifications all the same
            assertThat(record.value()).doesNotContain("hunter2").doesNotContain("Summarise the contract");
            told.add(JSON.readTree(record.value()));
        }
        assertThat(told).extracting(n -> n.at("/channel/type").asText())
                .containsExactlyInAnyOrder("email", "agent", "webhook");
        Set<String> links = new HashSet<>();
        String page = DevStackTestResource.stack().routerUrl() + "/approvals/review/";
        for (JsonNode notification : told) {
            assertThat(notification.get("notification_id").asText()).startsWith("ntf_");
            assertThat(notification.get("organization_id").asText()).isEqualTo(org);
            assertThat(notification.get("subject").asText()).isEqualTo("approval.requested");
            assertThat(notification.at("/message/title").asText()).isEqualTo("Approval required: " + agent);
            assertThat(notification.at("/message/status").asText()).isEqualTo("pending");
            assertThat(notification.at("/message/text").asText()).startsWith("dev-1 asked to run external agent "
                    + agent + ", which needs 1 approval: Cost threshold exceeded ($150.00 > $100.00). Estimated cost:"
                    + " $150.00. Decide within 24 h 0 min (until ");
            JsonNode facts = notification.at("/message/facts");
            assertThat(facts.findValuesAsText("name")).containsExactly("Agent", "Requested by", "Reasons",
                    "Estimated cost", "Time left", "Approvals");
            assertThat(facts.findValuesAsText("value").subList(0, 4)).containsExactly(agent, "dev-1",
                    "Cost threshold exceeded ($150.00 > $100.00)", "$150.00");
            assertThat(facts.get(4).get("value").asText()).isEqualTo("24 h 0 min");
            String link = notification.at("/message/link").asText();
            assertThat(link).startsWith(page).matches(".*/apl_[0-9A-Z]{26}\\.[A-Za-z0-9_-]{43}");
            links.add(link);
            JsonNode channel = notification.get("channel");
            switch (channel.get("type").asText()) {
                case "email" -> assertThat(channel.get("to").toString()).isEqualTo("[\"alice@example.com\"]");
                case "agent" -> assertThat(channel.get("agent_id").asText()).isEqualTo(messenger);
                default -> assertThat(channel.get("url").asText()).isEqualTo(WEBHOOK);
            }
        }
        assertThat(links).as("each channel has a link of its own").hasSize(3);
        // each link leads to the page, as its own approver
        for (JsonNode notification : told) {
            String link = notification.at("/message/link").asText();
            String approver = notification.at("/channel/type").asText().equals("email") ? "alice@example.com" : "bob";
            given().when().get(link.substring(link.indexOf("/approvals/review/"))).then().statusCode(200)
                    .body(containsString(approver));
        }
    }

    @Test
    void aWorkflowWithoutChannelsTellsNoOne() throws Exception {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        assertThat(notifications(id)).isEmpty();
    }

    @Test
    void notificationChannelsAreValidatedWhenAWorkflowIsStored() {
        String org = newOrg();
        String[][] cases = {
                {"[{\"type\": \"sms\", \"to\": \"+1\"}]", "notification_channels[0].type"},
                {"[{\"type\": \"email\", \"to\": \"Alice <alice@example.com>\"}]", "notification_channels[0].to"},
                {"[{\"type\": \"agent\", \"agent_id\": \"slack\", \"approver\": \"bob\"}]",
                        "notification_channels[0].agent_id"},
                {"[{\"type\": \"agent\", \"agent_id\": \"" + newAgent() + "\"}]", "notification_channels[0].approver"},
                {"[{\"type\": \"webhook\", \"url\": \"ftp://hooks.example.com\", \"approver\": \"bob\"}]",
                        "notification_channels[0].url"},
                {"[{\"type\": \"webhook\", \"url\": \"http://169.254.169.254/latest\", \"approver\": \"bob\"}]",
                        "notification_channels[0].url"},
                {"[{\"type\": \"email\", \"to\": \"a@example.com\"}, {\"type\": \"email\", \"to\": \"a@example.com\"}]",
                        "notification_channels[1]"},
        };
        for (String[] bad : cases) {
            as(org, "admin-1", "org_admin").body("{\"approver_users\": [\"bob\"], \"notification_channels\": "
                            + bad[0] + "}").when().put("/api/v1/approval-workflows/default").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("field", equalTo(bad[1]));
        }
        String messenger = newAgent();
        as(org, "admin-1", "org_admin").body("{\"approver_users\": [\"bob\"], \"notification_channels\": ["
                        + "{\"type\": \"agent\", \"agent_id\": \"" + messenger + "\", \"approver\": \"bob\"}]}")
                .when().put("/api/v1/approval-workflows/default").then().statusCode(200)
                .body("notification_channels[0].type", equalTo("agent"))
                .body("notification_channels[0].agent_id", equalTo(messenger))
                .body("notification_channels[0].approver", equalTo("bob"));
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/default").then().statusCode(200)
                .body("notification_channels[0].agent_id", equalTo(messenger));
    }
}
