package io.kaizen.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;

import io.kaizen.common.governance.Decision;
import io.kaizen.common.ids.PrefixedId;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What one target of the benchmark sends: its n-th request, and whether an answer counts as a success.
 *
 * @param name    the row's label in the report
 * @param request the n-th request of a run
 * @param verdict null for a success, else the label the answer is counted under ({@code HTTP 503}, {@code DENY_RATE})
 */
record Traffic(String name, String host, int port, LongFunction<Outgoing> request, Verdict verdict) {

    /** One request: method, URI and headers, and its body. */
    record Outgoing(RequestOptions options, Buffer body) {
    }

    interface Verdict {
        String problem(int status, Buffer body);
    }

    private static final List<String> OUTCOMES = Arrays.stream(Decision.Outcome.values()).map(Enum::name).toList();
    private static final Verdict STATUS_2XX = (status, body) -> status / 100 == 2 ? null : "HTTP " + status;

    /** The sink, or nginx in front of it, sent what the gateway sends a custom_http agent. */
    static Traffic agentEndpoint(String name, String host, int port, String path, String organizationId) {
        return new Traffic(name, host, port, n -> {
            String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
            String traceId = String.format("%032x", n + 1);
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("Accept", "application/json")
                    .add("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                    .add("X-Kaizen-Invocation-ID", invocationId)
                    .add("X-Kaizen-Trace-ID", traceId)
                    .add("X-Kaizen-Organization-ID", organizationId);
            JsonObject body = new JsonObject().put("input", input(n)).put("context", new JsonObject().put("n", n))
                    .put("metadata", new JsonObject()).put("invocation_id", invocationId);
            return post(path, headers, body);
        }, STATUS_2XX);
    }

    /**
     * {@code POST /api/v1/external-agents/{id}/invoke} through the router, round-robin over the agents. A failed call
     * whose agent answered is counted with the agent's status ({@code HTTP 502, agent answered 400}), so that a
     * platform emulator rejecting what an adapter sent shows as such.
     */
    static Traffic governedInvoke(String name, String host, int port, String jwt, List<String> agentIds) {
        return new Traffic(name, host, port, n -> {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("Authorization", "Bearer " + jwt)
                    .add("X-External-User-ID", "bench-user-" + n % 50)
                    .add("X-External-User-Email", "bench-user-" + n % 50 + "@example.com")
                    .add("X-External-System", "kaizen-bench")
                    .add("X-External-Session-ID", "bench-session-" + n % 500);
            JsonObject body = new JsonObject().put("input", input(n)).put("context", new JsonObject().put("n", n));
            return post("/api/v1/external-agents/" + agentIds.get((int) (n % agentIds.size())) + "/invoke", headers,
                    body);
        }, Traffic::invoked);
    }

    /** {@code POST /internal/v1/decisions} on governance's own port, round-robin over the agents. */
    static Traffic decisions(String name, String host, int port, String serviceToken, String organizationId,
            List<String> agentIds) {
        return new Traffic(name, host, port, n -> {
            JsonObject body = new JsonObject().put("invocation_id", PrefixedId.next(PrefixedId.INVOCATION))
                    .put("organization_id", organizationId)
                    .put("agent_id", agentIds.get((int) (n % agentIds.size())))
                    .put("user_id", "bench-user-" + n % 50)
                    .put("roles", new JsonArray().add("org_owner"))
                    .put("environment", "production")
                    .put("platform", "custom_http")
                    .put("input", input(n));
            return post("/internal/v1/decisions",
                    MultiMap.caseInsensitiveMultiMap().add("X-Kaizen-Service-Token", serviceToken), body);
        }, Traffic::allowed);
    }

    /** A 2xx; else the status, with the agent's own status when the gateway's problem names one. */
    static String invoked(int status, Buffer body) {
        if (status / 100 == 2) {
            return null;
        }
        Object upstream;
        try {
            upstream = new JsonObject(body).getValue("upstream_status");
        } catch (RuntimeException notAProblem) {
            return "HTTP " + status;
        }
        return upstream instanceof Number agentStatus
                ? "HTTP " + status + ", agent answered " + agentStatus.intValue() : "HTTP " + status;
    }

    /**
     * A decision succeeds when it allows the call: a denial would mean the benchmark's limits were too low. The
     * label is one of a few (an outcome of {@link Decision.Outcome} or a fixed phrase), whatever the answer says.
     */
    private static String allowed(int status, Buffer body) {
        if (status != 200) {
            return "HTTP " + status;
        }
        String outcome = new JsonObject(body).getString("outcome");
        if (outcome == null) {
            return "HTTP 200 without an outcome";
        }
        if (OUTCOMES.stream().noneMatch(outcome::equals)) {
            return "HTTP 200 with an unknown outcome";
        }
        return outcome.equals(Decision.Outcome.ALLOW.name()) ? null : outcome;
    }

    private static Outgoing post(String uri, MultiMap headers, JsonObject body) {
        headers.add("Content-Type", "application/json");
        return new Outgoing(new RequestOptions().setMethod(HttpMethod.POST).setURI(uri).setHeaders(headers),
                body.toBuffer());
    }

    private static String input(long n) {
        return "What were the sales in EMEA in week " + (n % 52 + 1) + "?";
    }
}
