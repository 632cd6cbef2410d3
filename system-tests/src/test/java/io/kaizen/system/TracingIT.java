package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.SpanCollector;
import io.kaizen.devstack.SpanCollector.CollectedSpan;
import io.kaizen.devstack.Sink.SinkRequest;
import io.kaizen.devstack.TopicReader;
import io.kaizen.devstack.Topics;
import io.restassured.response.Response;

/**
 * One invoke is one OpenTelemetry trace across the suite (docs/operations.md, Tracing): the gateway's request, its
 * call to governance and the decision governance made, the call to the agent (whose {@code traceparent} names the
 * gateway's client span), the invocation event (which carries the trace as {@code ce_traceparent}) with its publish
 * span, and lineage's processing of that event, whose row stores the trace id. The services export their spans to
 * the devstack's OTLP receiver. (An allowed call's decision has no event of its own: it travels in the invocation's.)
 */
class TracingIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Suite suite = Suite.get();

    @Test
    void anInvokeWithTheCallersTraceparentContinuesItAcrossEveryService() {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(token, "Traced Bot");
        suite.stack.sink().reset();
        String traceId = hex(16);
        String callerSpan = hex(8);

        Response invoked = suite.invoking(token)
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .body("{\"input\": \"trace me\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200)
                .body("trace_id", equalTo(traceId))
                .extract().response();
        assertThat(invoked.header("X-Kaizen-Trace-ID")).isEqualTo(traceId);
        String invocationId = invoked.path("invocation_id");

        String agentParent = agentCallParent(invocationId, traceId);
        String decisionId = lineageDecision(token, invocationId, traceId);
        String eventId = invocationEventCarries(invocationId, traceId);

        List<CollectedSpan> trace = collector().awaitTrace(traceId, complete(invocationId, eventId), PATIENCE);

        CollectedSpan ingress = only(trace, span -> span.service().equals("adapter-gateway")
                && span.kind() == CollectedSpan.SERVER);
        assertThat(ingress.parentSpanId()).as("the gateway continues the caller's span").isEqualTo(callerSpan);

        CollectedSpan decision = only(trace, span -> span.service().equals("governance-service")
                && span.kind() == CollectedSpan.SERVER);
        assertThat(decision.attribute("kaizen.decision.id")).isEqualTo(decisionId);
        assertThat(decision.attribute("kaizen.invocation.id")).isEqualTo(invocationId);
        assertThat(decision.attribute("kaizen.decision.outcome")).isEqualTo("ALLOW");
        CollectedSpan askedGovernance = byId(trace, decision.parentSpanId());
        assertThat(askedGovernance.service()).isEqualTo("adapter-gateway");
        assertThat(askedGovernance.kind()).isEqualTo(CollectedSpan.CLIENT);
        assertThat(askedGovernance.parentSpanId()).isEqualTo(ingress.spanId());

        CollectedSpan agentCall = byId(trace, agentParent);
        assertThat(agentCall.service()).isEqualTo("adapter-gateway");
        assertThat(agentCall.kind()).isEqualTo(CollectedSpan.CLIENT);
        assertThat(agentCall.attribute("kaizen.invocation.id")).isEqualTo(invocationId);
        assertThat(agentCall.attribute("http.response.status_code")).isEqualTo("200");
        assertThat(agentCall.parentSpanId()).isEqualTo(ingress.spanId());

        CollectedSpan publish = only(trace, published(eventId));
        assertThat(publish.service()).isEqualTo("adapter-gateway");
        assertThat(publish.attribute("messaging.destination.name")).isEqualTo(Topics.INVOCATIONS);
        assertThat(publish.parentSpanId()).as("the event was written in the request's span")
                .isEqualTo(ingress.spanId());

        CollectedSpan lineage = only(trace, processed(eventId, "lineage-service", "lineage"));
        assertThat(lineage.kind()).isEqualTo(CollectedSpan.CONSUMER);
        assertThat(lineage.parentSpanId()).isEqualTo(ingress.spanId());

        // the registry's answer to the agent lookup, when the gateway's cache had to ask, is of the trace too
        trace.stream().filter(span -> span.service().equals("registry-service") && span.kind() == CollectedSpan.SERVER)
                .forEach(lookup -> assertThat(byId(trace, lookup.parentSpanId()).parentSpanId())
                        .isEqualTo(ingress.spanId()));
    }

    @Test
    void anInvokeWithoutTraceparentStartsATraceThatReachesTheAgentAndLineage() {
        String org = Suite.newOrg();
        String token = suite.token(org, "developer");
        String agentId = suite.registerAgent(token, "Untraced Caller Bot");
        suite.stack.sink().reset();

        Response invoked = suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200)
                .extract().response();
        String traceId = invoked.path("trace_id");
        String invocationId = invoked.path("invocation_id");
        assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));

        String agentParent = agentCallParent(invocationId, traceId);
        lineageDecision(token, invocationId, traceId);
        String eventId = invocationEventCarries(invocationId, traceId);

        List<CollectedSpan> trace = collector().awaitTrace(traceId, complete(invocationId, eventId), PATIENCE);
        CollectedSpan ingress = only(trace, span -> span.service().equals("adapter-gateway")
                && span.kind() == CollectedSpan.SERVER);
        assertThat(ingress.parentSpanId()).as("a new trace starts at the gateway").isEmpty();
        assertThat(byId(trace, agentParent).parentSpanId()).isEqualTo(ingress.spanId());
    }

    /** Every span the invoke leads to has arrived: the gateway's, governance's, the publish and lineage's. */
    private static Predicate<List<CollectedSpan>> complete(String invocationId, String eventId) {
        return spans -> spans.stream().anyMatch(span -> span.service().equals("governance-service")
                        && span.kind() == CollectedSpan.SERVER && span.attribute("kaizen.decision.outcome") != null)
                && spans.stream().anyMatch(span -> span.service().equals("adapter-gateway")
                        && span.kind() == CollectedSpan.SERVER)
                && spans.stream().anyMatch(span -> invocationId.equals(span.attribute("kaizen.invocation.id"))
                        && span.kind() == CollectedSpan.CLIENT)
                && spans.stream().anyMatch(published(eventId))
                && spans.stream().anyMatch(processed(eventId, "lineage-service", "lineage"));
    }

    /** The agent received the call with a traceparent of the trace; the parent span id it names. */
    private String agentCallParent(String invocationId, String traceId) {
        List<SinkRequest> received = suite.stack.sink().awaitRequests(1, Duration.ofSeconds(10));
        SinkRequest call = received.stream().filter(r -> invocationId.equals(r.header("X-Kaizen-Invocation-ID")))
                .findFirst().orElseThrow();
        assertThat(call.header("traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
        return call.header("traceparent").substring(36, 52);
    }

    /** The lineage row stores the trace id; the decision id it names. */
    private String lineageDecision(String token, String invocationId, String traceId) {
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("trace_id", equalTo(traceId)));
        return suite.as(token).when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200).extract().path("decision_id");
    }

    /** The invocation's completed event carries the trace (CloudEvents distributed tracing); its event id. */
    private String invocationEventCarries(String invocationId, String traceId) {
        ConsumerRecord<String, String> event = TopicReader.await(suite.stack.kafka().bootstrapServers(),
                Topics.INVOCATIONS, record -> invocationId.equals(TopicReader.header(record, "ce_subject"))
                        && EventTypes.INVOCATION_COMPLETED.equals(TopicReader.header(record, "ce_type")),
                1, PATIENCE).get(0);
        assertThat(TopicReader.header(event, "ce_traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
        return TopicReader.header(event, "ce_id");
    }

    private static Predicate<CollectedSpan> published(String eventId) {
        return span -> span.kind() == CollectedSpan.PRODUCER && eventId.equals(span.attribute("messaging.message.id"));
    }

    private static Predicate<CollectedSpan> processed(String eventId, String service, String consumer) {
        return span -> span.service().equals(service) && span.kind() == CollectedSpan.CONSUMER
                && eventId.equals(span.attribute("messaging.message.id"))
                && consumer.equals(span.attribute("messaging.consumer.group.name"));
    }

    private static CollectedSpan only(List<CollectedSpan> trace, Predicate<CollectedSpan> wanted) {
        List<CollectedSpan> found = trace.stream().filter(wanted).toList();
        assertThat(found).as("spans of %s", trace).hasSize(1);
        return found.get(0);
    }

    private static CollectedSpan byId(List<CollectedSpan> trace, String spanId) {
        return only(trace, span -> span.spanId().equals(spanId));
    }

    private SpanCollector collector() {
        SpanCollector collector = suite.stack.spanCollector();
        assertThat(collector).as("the system tests' stack collects spans").isNotNull();
        return collector;
    }

    private static String hex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
