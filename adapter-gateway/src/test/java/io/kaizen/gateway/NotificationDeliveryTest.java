package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.Sink;
import io.kaizen.devstack.platform.SlackRules;
import io.kaizen.devstack.platform.TeamsRules;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

/**
 * {@code notification.requested} on {@code kaizen.notifications.v1} becomes one stored delivery per notification,
 * sent by the delivery machinery: e-mail to a real SMTP server, a registered agent at the Slack and Teams emulators,
 * a webhook at a sink. A notification is stored once however often it arrives, and never reaches another
 * organisation's agent.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class NotificationDeliveryTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Vertx vertx;
    private static Sink slack;
    private static Sink teams;
    private static Sink webhook;

    private final Invoker organisation = new Invoker();
    private KafkaProducer<String, String> producer;

    @BeforeAll
    static void startDestinations() {
        vertx = Vertx.vertx();
        slack = new Sink(vertx, 0, new SlackRules());
        teams = new Sink(vertx, 0, new TeamsRules());
        webhook = new Sink(vertx, 0);
        slack.start();
        teams.start();
        webhook.start();
    }

    @AfterAll
    static void stopDestinations() {
        slack.stop();
        teams.stop();
        webhook.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void connect() {
        Properties props = new Properties();
        props.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        SmtpStandIn.shared().reset();
    }

    @AfterEach
    void close() {
        producer.close();
        slack.reset();
        teams.reset();
        webhook.reset();
    }

    @Test
    void anEmailNotificationReachesTheSmtpServerAsPlainTextAndEscapedHtml() throws Exception {
        String id = notificationId();
        publish(event(id, organisation.organizationId, new JsonObject().put("type", "email")
                .put("to", new JsonArray().add("ops@example.com").add("finance@example.org")),
                "Budget <b>90%</b> used", "Spent & counting\n<script>alert(1)</script>"));

        await().atMost(PATIENCE).until(() -> SmtpStandIn.shared().received().length == 2);
        MimeMessage mail = SmtpStandIn.shared().received()[0];
        assertThat(mail.getSubject()).isEqualTo("Budget <b>90%</b> used");
        assertThat(List.of(mail.getRecipients(Message.RecipientType.TO)).stream().map(Object::toString))
                .containsExactly("ops@example.com", "finance@example.org");
        assertThat(mail.getHeader("X-Kaizen-Notification-ID")[0]).isEqualTo(id);
        String text = part(mail, "text/plain");
        String html = part(mail, "text/html");
        assertThat(text).contains("Budget <b>90%</b> used").contains("Spent & counting").contains("Region: eu-west");
        assertThat(html).contains("Budget &lt;b&gt;90%&lt;/b&gt; used")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
        String deliveryId = StoredDeliveries.ofNotification(organisation.organizationId, id).get(0);
        await().atMost(PATIENCE).until(() -> StoredDeliveries.row(deliveryId).status().equals("delivered"));
        assertThat(StoredDeliveries.attempts(deliveryId)).singleElement()
                .satisfies(attempt -> assertThat(attempt.statusCode()).isEqualTo(250));
        given().auth().oauth2(organisation.token()).queryParam("status", "delivered")
                .when().get("/api/v1/deliveries")
                .then().statusCode(200)
                .body("items.find { it.id == '" + deliveryId + "' }.kind", org.hamcrest.Matchers.equalTo("notification"))
                .body("items.find { it.id == '" + deliveryId + "' }.destination", org.hamcrest.Matchers.equalTo("mailto:…"));
    }

    @Test
    void aMailServersTransientRefusalIsRetriedUntilItTakesTheMail() throws Exception {
        SmtpStandIn.shared().refuseNext("421 4.3.2 Service not available, try again later");
        String id = notificationId();
        publish(event(id, organisation.organizationId, email("oncall@example.com"), "Retry me", "text"));

        await().atMost(PATIENCE).until(() -> SmtpStandIn.shared().received().length == 1);
        String deliveryId = StoredDeliveries.ofNotification(organisation.organizationId, id).get(0);
        await().atMost(PATIENCE).until(() -> StoredDeliveries.row(deliveryId).status().equals("delivered"));
        List<StoredDeliveries.Attempt> attempts = StoredDeliveries.attempts(deliveryId);
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).statusCode()).isEqualTo(421);
        assertThat(attempts.get(0).errorKind()).isEqualTo("smtp");
        assertThat(attempts.get(1).statusCode()).isEqualTo(250);
        assertThat(SmtpStandIn.shared().refused()).isEqualTo(1);
    }

    @Test
    void aMailServersPermanentRefusalFailsTheDeliveryWithoutRetry() throws Exception {
        SmtpStandIn.shared().refuseNext("554 5.3.0 No SMTP service here", "554 5.3.0 No SMTP service here");
        String id = notificationId();
        publish(event(id, organisation.organizationId, email("oncall@example.com"), "Never", "text"));

        await().atMost(PATIENCE).until(() -> !StoredDeliveries.ofNotification(organisation.organizationId, id).isEmpty()
                && StoredDeliveries.row(StoredDeliveries.ofNotification(organisation.organizationId, id).get(0))
                        .status().equals("failed"));
        String deliveryId = StoredDeliveries.ofNotification(organisation.organizationId, id).get(0);
        assertThat(StoredDeliveries.attempts(deliveryId)).singleElement().satisfies(attempt -> {
            assertThat(attempt.statusCode()).isEqualTo(554);
            assertThat(attempt.errorKind()).isEqualTo("smtp");
            assertThat(attempt.error()).isEqualTo("mail server answered 554").doesNotContain("oncall");
        });
        assertThat(StoredDeliveries.row(deliveryId).lastStatusCode()).isEqualTo(554);
        assertThat(SmtpStandIn.shared().refused()).isEqualTo(1);
        assertThat(SmtpStandIn.shared().received()).isEmpty();
    }

    @Test
    void aSlackAgentIsToldInSlacksFormatWithItsOutboundAuth() throws Exception {
        String webhookUrl = slack.url() + "/services/T1/B1/secret";
        String agentId = InternalApiStandIn.shared().agent(organisation.organizationId, "slack", webhookUrl,
                "bearer_token", Map.of("token", "slack-bearer-secret"));
        InternalApiStandIn.shared().field(agentId, "platform_config", new JsonObject().put("webhook_url", webhookUrl));
        String id = notificationId();
        publish(event(id, organisation.organizationId, new JsonObject().put("type", "agent").put("agent_id", agentId),
                "Approval needed", "Deploy *prod* <now>"));

        Sink.SinkRequest received = slack.awaitRequests(1, PATIENCE).get(0);
        assertThat(received.path()).isEqualTo("/services/T1/B1/secret");
        assertThat(received.header("Authorization")).isEqualTo("Bearer slack-bearer-secret");
        assertThat(received.header("X-Kaizen-Notification-ID")).isEqualTo(id);
        JsonObject body = new JsonObject(received.body());
        assertThat(body.getJsonArray("blocks")).isNotEmpty();
        assertThat(body.encode()).contains("Approval needed").contains("eu-west");
        String deliveryId = StoredDeliveries.ofNotification(organisation.organizationId, id).get(0);
        await().atMost(PATIENCE).until(() -> StoredDeliveries.row(deliveryId).status().equals("delivered"));
        assertThat(StoredDeliveries.row(deliveryId).lastStatusCode()).isEqualTo(200);
    }

    @Test
    void aTeamsAgentIsToldWithAnAdaptiveCardTheEmulatorAccepts() throws Exception {
        String agentId = InternalApiStandIn.shared().agent(organisation.organizationId, "teams",
                teams.url() + "/workflows/hook");
        InternalApiStandIn.shared().field(agentId, "platform_config",
                new JsonObject().put("webhook_url", teams.url() + "/workflows/hook"));
        String id = notificationId();
        publish(event(id, organisation.organizationId, new JsonObject().put("type", "agent").put("agent_id", agentId),
                "Budget crossed", "90% of the monthly budget"));

        Sink.SinkRequest received = teams.awaitRequests(1, PATIENCE).get(0);
        assertThat(received.body()).contains("AdaptiveCard").contains("Budget crossed");
        String deliveryId = StoredDeliveries.ofNotification(organisation.organizationId, id).get(0);
        await().atMost(PATIENCE).until(() -> StoredDeliveries.row(deliveryId).status().equals("delivered"));
    }

    @Test
    void aWebhookReceivesTheNotificationAsJson() throws Exception {
        String id = notificationId();
        JsonObject data = event(id, organisation.organizationId,
                new JsonObject().put("type", "webhook").put("url", webhook.url() + "/hooks/notify"), "Hello", "World");
        publish(data);

        Sink.SinkRequest received = webhook.awaitRequests(1, PATIENCE).get(0);
        assertThat(received.path()).isEqualTo("/hooks/notify");
        assertThat(received.header("webhook-id")).isEqualTo(id);
        assertThat(new JsonObject(received.body())).isEqualTo(data);
    }

    @Test
    void aRedeliveredOrRepublishedNotificationIsDeliveredOnce() throws Exception {
        String id = notificationId();
        JsonObject data = event(id, organisation.organizationId,
                new JsonObject().put("type", "webhook").put("url", webhook.url() + "/hooks/once"), "Once", "only");
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        publish(eventId, data);
        publish(eventId, data);
        publish(PrefixedId.next(PrefixedId.EVENT), data);
        // one partition keeps the order: once the marker is delivered, the three before it were read
        String marker = notificationId();
        publish(event(marker, organisation.organizationId,
                new JsonObject().put("type", "webhook").put("url", webhook.url() + "/hooks/marker"), "Marker", "m"));

        await().atMost(PATIENCE).until(() -> webhook.requests().stream().anyMatch(r -> r.path().equals("/hooks/marker")));
        assertThat(StoredDeliveries.ofNotification(organisation.organizationId, id)).hasSize(1);
        assertThat(webhook.requests()).filteredOn(r -> r.path().equals("/hooks/once")).hasSize(1);
    }

    @Test
    void anAgentOfAnotherOrganisationIsNeverTold() throws Exception {
        Invoker other = new Invoker();
        String foreign = InternalApiStandIn.shared().agent(other.organizationId, "custom_http", webhook.url() + "/foreign");
        String id = notificationId();
        publish(event(id, organisation.organizationId, new JsonObject().put("type", "agent").put("agent_id", foreign),
                "Steal", "this"));
        String marker = notificationId();
        publish(event(marker, organisation.organizationId,
                new JsonObject().put("type", "webhook").put("url", webhook.url() + "/hooks/marker"), "Marker", "m"));

        await().atMost(PATIENCE).until(() -> webhook.requests().stream().anyMatch(r -> r.path().equals("/hooks/marker")));
        assertThat(StoredDeliveries.ofNotification(organisation.organizationId, id)).isEmpty();
        assertThat(StoredDeliveries.ofNotification(other.organizationId, id)).isEmpty();
        assertThat(webhook.requests()).noneMatch(r -> r.path().equals("/foreign"));
    }

    @Test
    void aNotificationWithABadAddressIsDeadLetteredWithItsReason() throws Exception {
        String id = notificationId();
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        publish(eventId, event(id, organisation.organizationId, email("Ops <ops@example.com>\r\nBcc: x@evil.example"),
                "Bad", "address"));

        DeadLetterQueue deadLetters = new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
        await().atMost(PATIENCE).until(() -> deadLetters.list(Topics.NOTIFICATIONS).stream()
                .anyMatch(letter -> eventId.equals(letter.eventId())));
        assertThat(deadLetters.list(Topics.NOTIFICATIONS)).filteredOn(letter -> eventId.equals(letter.eventId()))
                .singleElement().satisfies(letter -> {
                    assertThat(letter.consumer()).isEqualTo("gateway.notifications");
                    assertThat(letter.reason()).contains("not a valid e-mail address");
                });
        assertThat(StoredDeliveries.ofNotification(organisation.organizationId, id)).isEmpty();
    }

    @Test
    void aNotificationWithAnOversizedMessageIsDeadLetteredWithItsReason() throws Exception {
        String id = notificationId();
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        publish(eventId, event(id, organisation.organizationId, email("ops@example.com"), "Big", "x".repeat(10_001)));

        DeadLetterQueue deadLetters = new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
        await().atMost(PATIENCE).until(() -> deadLetters.list(Topics.NOTIFICATIONS).stream()
                .anyMatch(letter -> eventId.equals(letter.eventId())));
        assertThat(deadLetters.list(Topics.NOTIFICATIONS)).filteredOn(letter -> eventId.equals(letter.eventId()))
                .singleElement().satisfies(letter -> assertThat(letter.reason()).contains("message longer than allowed"));
        assertThat(StoredDeliveries.ofNotification(organisation.organizationId, id)).isEmpty();
    }

    private static JsonObject email(String address) {
        return new JsonObject().put("type", "email").put("to", new JsonArray().add(address));
    }

    private static String notificationId() {
        return "ntf_" + UUID.randomUUID();
    }

    private static JsonObject event(String notificationId, String organizationId, JsonObject channel, String title,
            String text) {
        return new JsonObject()
                .put("notification_id", notificationId)
                .put("organization_id", organizationId)
                .put("subject", "budget.threshold_crossed")
                .put("channel", channel)
                .put("message", new JsonObject().put("title", title).put("text", text).put("status", "pending")
                        .put("facts", new JsonArray().add(new JsonObject().put("name", "Region").put("value", "eu-west"))))
                .put("occurred_at", Instant.now().toString());
    }

    private void publish(JsonObject data) throws Exception {
        publish(PrefixedId.next(PrefixedId.EVENT), data);
    }

    /** As governance's relay publishes it, all to partition 0 so the events keep their order. */
    private void publish(String eventId, JsonObject data) throws Exception {
        String organizationId = data.getString("organization_id");
        CloudEvent event = new CloudEvent(eventId, "/kaizen/governance-service", EventTypes.NOTIFICATION_REQUESTED,
                data.getString("notification_id"), organizationId, Instant.now(), data.encode());
        producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, 0, organizationId, event.data(), event.headers())).get();
    }

    private static String part(MimeMessage mail, String type) throws Exception {
        Object content = mail.getContent();
        if (content instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String found = find(multipart.getBodyPart(i), type);
                if (found != null) {
                    return found;
                }
            }
        }
        throw new AssertionError("no " + type + " part");
    }

    private static String find(jakarta.mail.BodyPart part, String type) throws Exception {
        if (part.isMimeType(type)) {
            return part.getContent().toString();
        }
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String found = find(multipart.getBodyPart(i), type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
