package io.kaizen.common.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code docs/asyncapi.yaml} describes every event type of {@link EventTypes} on its topic, with every field of its
 * data record, nested records included; the fields are read from the records themselves.
 */
class AsyncApiDocumentTest {

    /** Each event type's topic and data record. A new type fails the test until it is listed here and documented. */
    private static final Map<String, Emitted> EMITTED = Map.ofEntries(
            Map.entry(EventTypes.AGENT_REGISTERED, new Emitted(Topics.AGENTS, AgentEvent.class)),
            Map.entry(EventTypes.AGENT_UPDATED, new Emitted(Topics.AGENTS, AgentEvent.class)),
            Map.entry(EventTypes.AGENT_DELETED, new Emitted(Topics.AGENTS, AgentEvent.class)),
            Map.entry(EventTypes.AGENT_CREDENTIALS_ROTATED, new Emitted(Topics.AGENTS, AgentEvent.class)),
            Map.entry(EventTypes.AGENT_CREDENTIALS_ACCESSED, new Emitted(Topics.AGENTS, AgentEvent.class)),
            Map.entry(EventTypes.APIKEY_CREATED, new Emitted(Topics.AGENTS, ApiKeyEvent.class)),
            Map.entry(EventTypes.APIKEY_REVOKED, new Emitted(Topics.AGENTS, ApiKeyEvent.class)),
            Map.entry(EventTypes.GOVERNANCE_CONFIG_UPDATED, new Emitted(Topics.GOVERNANCE, GovernanceConfigEvent.class)),
            Map.entry(EventTypes.DECISION_DENIED, new Emitted(Topics.GOVERNANCE, GovernanceDecisionEvent.class)),
            Map.entry(EventTypes.DECISION_EVALUATED, new Emitted(Topics.GOVERNANCE, GovernanceDecisionEvent.class)),
            Map.entry(EventTypes.BUDGET_THRESHOLD_CROSSED, new Emitted(Topics.GOVERNANCE, BudgetThresholdEvent.class)),
            Map.entry(EventTypes.POLICY_CREATED, new Emitted(Topics.GOVERNANCE, PolicyEvent.class)),
            Map.entry(EventTypes.POLICY_UPDATED, new Emitted(Topics.GOVERNANCE, PolicyEvent.class)),
            Map.entry(EventTypes.POLICY_DELETED, new Emitted(Topics.GOVERNANCE, PolicyEvent.class)),
            Map.entry(EventTypes.INVOCATION_ACCEPTED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.INVOCATION_COMPLETED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.INVOCATION_FAILED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.INVOCATION_BLOCKED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.INVOCATION_HELD, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.NOTIFICATION_REQUESTED, new Emitted(Topics.NOTIFICATIONS, NotificationEvent.class)),
            Map.entry(EventTypes.WEBHOOK_DISABLED, new Emitted(Topics.AGENTS, WebhookDisabledEvent.class)),
            Map.entry(EventTypes.INVOCATION_REJECTED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.INVOCATION_EXPIRED, new Emitted(Topics.INVOCATIONS, InvocationEvent.class)),
            Map.entry(EventTypes.APPROVAL_REQUESTED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_DECISION_RECORDED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_APPROVED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_REJECTED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_EXPIRED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_ESCALATED, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.APPROVAL_REMINDER_SENT, new Emitted(Topics.APPROVALS, ApprovalEvent.class)),
            Map.entry(EventTypes.AUDIT_RECORDED, new Emitted(Topics.AUDIT, AuditRecordEvent.class)));

    private record Emitted(String topic, Class<?> data) {
    }

    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE = new PropertyNamingStrategies.SnakeCaseStrategy();

    @Test
    void everyEventTypeOfTheCodeIsListedWithItsData() throws IllegalAccessException {
        Set<String> declared = new TreeSet<>();
        for (Field field : EventTypes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && ((String) field.get(null)).endsWith(".v1")) {
                declared.add((String) field.get(null));
            }
        }
        assertThat(declared).hasSizeGreaterThan(15);
        assertThat(new TreeSet<>(EMITTED.keySet())).isEqualTo(declared);
    }

    @Test
    void theAsyncApiDocumentDescribesEveryEventTypeOnItsTopicWithEveryFieldOfItsData() throws Exception {
        JsonNode doc = new YAMLMapper().readTree(Files.readString(document()));
        assertThat(doc.path("asyncapi").asText()).startsWith("2.6");
        for (Map.Entry<String, Emitted> type : EMITTED.entrySet()) {
            String messageRef = messageNamed(doc, type.getKey());
            List<String> channelMessages = new ArrayList<>();
            doc.path("channels").path(type.getValue().topic()).path("subscribe").path("message").path("oneOf")
                    .forEach(ref -> channelMessages.add(ref.path("$ref").asText()));
            assertThat(channelMessages).as("messages of %s", type.getValue().topic()).contains(messageRef);
            JsonNode message = resolve(doc, messageRef);
            assertThat(message.path("bindings").path("kafka").path("key").isMissingNode()).as(type.getKey()).isFalse();
            assertDescribes(doc, resolve(doc, message.path("payload")), type.getValue().data(), type.getKey());
        }
    }

    /** The schema has a property for every component of the record, and the same for each nested record. */
    private static void assertDescribes(JsonNode doc, JsonNode schema, Class<?> record, String where) {
        JsonNode properties = schema.path("properties");
        for (RecordComponent component : record.getRecordComponents()) {
            String name = SNAKE.translate(component.getName());
            assertThat(properties.has(name)).as("%s: field %s of %s", where, name, record.getSimpleName()).isTrue();
            Class<?> nested = recordIn(component.getGenericType());
            if (nested != null) {
                JsonNode property = resolve(doc, properties.path(name));
                JsonNode nestedSchema = property.path("type").asText().equals("array")
                        ? resolve(doc, property.path("items")) : property;
                assertDescribes(doc, nestedSchema, nested, where + "." + name);
            }
        }
    }

    private static Class<?> recordIn(Type type) {
        if (type instanceof Class<?> c) {
            return c.isRecord() ? c : null;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return recordIn(p.getActualTypeArguments()[0]);
        }
        return null;
    }

    private static String messageNamed(JsonNode doc, String type) {
        var names = doc.path("components").path("messages").fields();
        while (names.hasNext()) {
            var message = names.next();
            if (type.equals(message.getValue().path("name").asText())) {
                return "#/components/messages/" + message.getKey();
            }
        }
        throw new AssertionError("docs/asyncapi.yaml has no message named " + type);
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        return node.has("$ref") ? resolve(doc, node.get("$ref").asText()) : node;
    }

    private static JsonNode resolve(JsonNode doc, String ref) {
        return doc.at(ref.substring(1));
    }

    private static Path document() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/asyncapi.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/asyncapi.yaml above the module").isNotNull();
        return dir.resolve("docs/asyncapi.yaml");
    }
}
