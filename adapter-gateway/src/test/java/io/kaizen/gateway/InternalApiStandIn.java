package io.kaizen.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.kaizen.common.ids.PrefixedId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real HTTP server answering the internal calls of the invoke path, as registry, governance and approval-service
 * would: {@code GET /internal/v1/agents/{id}} for the agents a test registered here, {@code POST /internal/v1/decisions}
 * with ALLOW (a configured cost of 0.05 and the reference token rates) or, for agents that {@link #requireApproval}, with
 * REQUIRE_APPROVAL, and {@code POST /internal/v1/approval-requests}. All require the service token. Every
 * request it receives is recorded as {@code "METHOD /path"}. A test can change an agent's status, and hold the reads
 * of an agent until it releases them.
 */
public final class InternalApiStandIn {

    /** The policy every allowed decision of the stand-in names as deciding (version 3). */
    static final String ALLOWING_POLICY = "pol_allow_all";

    private static InternalApiStandIn shared;

    private final HttpServer server;
    private final String serviceToken;
    private final Map<String, JsonObject> agents = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private final Map<String, Long> reads = new ConcurrentHashMap<>();
    private final java.util.Set<String> approvalAgents = ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> trustingAgents = ConcurrentHashMap.newKeySet();
    private final List<JsonObject> decisionRequests = new CopyOnWriteArrayList<>();
    private final List<JsonObject> approvalRequests = new CopyOnWriteArrayList<>();
    private final List<String> releases = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> reservationsGiven = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> resumptionBarriers = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.BiConsumer<String, JsonObject>> openHooks = new ConcurrentHashMap<>();

    private InternalApiStandIn(String serviceToken) {
        this.serviceToken = serviceToken;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/internal/v1/", this::handle);
        server.start();
    }

    static synchronized InternalApiStandIn start(String serviceToken) {
        if (shared == null) {
            shared = new InternalApiStandIn(serviceToken);
        }
        return shared;
    }

    /** The stand-in of this JVM, started with the gateway. */
    static synchronized InternalApiStandIn shared() {
        if (shared == null) {
            throw new IllegalStateException("the gateway tests' stand-in was not started by GatewayTestResource");
        }
        return shared;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers an active custom_http agent of this organisation calling this endpoint; returns its id. */
    String agent(String organizationId, String endpointUrl) {
        return agent(organizationId, "custom_http", endpointUrl);
    }

    /** Registers an active agent of this organisation on a platform; returns its id. */
    String agent(String organizationId, String platform, String endpointUrl) {
        return agent(organizationId, platform, endpointUrl, "none", Map.of());
    }

    /** Registers an active agent that calls out with these credentials (as registry decrypted them); returns its id. */
    String agent(String organizationId, String platform, String endpointUrl, String authType,
            Map<String, Object> credentials) {
        String id = PrefixedId.next(PrefixedId.AGENT);
        agents.put(id, new JsonObject()
                .put("id", id)
                .put("organization_id", organizationId)
                .put("name", "Test agent " + id)
                .put("platform", platform)
                .put("endpoint_url", endpointUrl)
                .put("platform_config", new JsonObject())
                .put("auth_type", authType)
                .put("credentials", new JsonObject(credentials))
                .put("tags", new JsonArray())
                .put("environment", "production")
                .put("timeout_seconds", 30)
                .put("status", "active")
                .put("created_at", Instant.now().toString()));
        return id;
    }

    /** Registry's answer for that agent changes to this status (the gateway sees it only once it reads again). */
    void status(String agentId, String status) {
        agents.computeIfPresent(agentId, (id, agent) -> agent.copy().put("status", status));
    }

    /** Registry's answer for that agent has this field too (or in place of its value), e.g. {@code notify}. */
    void field(String agentId, String name, Object value) {
        agents.computeIfPresent(agentId, (id, agent) -> agent.copy().put(name, value));
    }

    /** How many times the agent was read, ever. */
    long reads(String agentId) {
        return reads.getOrDefault(agentId, 0L);
    }

    /** From now on, reads of that agent wait until the hold is released (at most a minute). */
    Hold hold(String agentId) {
        Hold hold = new Hold();
        holds.put(agentId, hold);
        return hold;
    }

    /** Reads of one agent held back: tells when the first arrived; releasing answers all, now and later. */
    static final class Hold {

        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        boolean awaitArrival() throws InterruptedException {
            return arrived.await(60, TimeUnit.SECONDS);
        }

        void release() {
            released.countDown();
        }

        private void pass() throws InterruptedException {
            arrived.countDown();
            released.await(60, TimeUnit.SECONDS);
        }
    }

    /**
     * From now on governance answers REQUIRE_APPROVAL for this agent, unless the decision resumes an approved call
     * ({@code approved_request_id}); approval-service's {@code POST /internal/v1/approval-requests} opens a request.
     */
    void requireApproval(String agentId) {
        approvalAgents.add(agentId);
    }

    /**
     * The next {@code count} resumption decisions of this invocation (those with {@code approved_request_id}) are
     * answered together, once all of them arrived (at most a minute): resumptions racing each other.
     */
    void resumptionsTogether(String invocationId, int count) {
        resumptionBarriers.put(invocationId, new CountDownLatch(count));
    }

    /**
     * Before approval-service answers the opening of a request for this agent's calls, {@code hook} runs with the new
     * request's id and the opening body: what happens while the gateway has not stored the held call yet.
     */
    void beforeOpened(String agentId, java.util.function.BiConsumer<String, JsonObject> hook) {
        openHooks.put(agentId, hook);
    }

    /** The reservations governance's ALLOW decisions gave this invocation, in order. */
    List<String> reservationsGiven(String invocationId) {
        return List.copyOf(reservationsGiven.getOrDefault(invocationId, List.of()));
    }

    /** The reservations the gateway released, in order. */
    List<String> releases() {
        return List.copyOf(releases);
    }

    /**
     * As {@link #requireApproval}, but approval-service approves each request as it opens it, as for a requester the
     * agent's workflow trusts.
     */
    void requireApprovalTrustingEveryone(String agentId) {
        approvalAgents.add(agentId);
        trustingAgents.add(agentId);
    }

    /** The bodies of the decisions asked for this invocation, in order. */
    List<JsonObject> decisionRequests(String invocationId) {
        return decisionRequests.stream().filter(d -> invocationId.equals(d.getString("invocation_id"))).toList();
    }

    /** The bodies of the approval requests opened for this invocation. */
    List<JsonObject> approvalRequests(String invocationId) {
        return approvalRequests.stream().filter(d -> invocationId.equals(d.getString("invocation_id"))).toList();
    }

    /** The requests received since the last {@link #clearRequests()}, as {@code "METHOD /path"}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    void clearRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!serviceToken.equals(exchange.getRequestHeaders().getFirst("X-Kaizen-Service-Token"))) {
                answer(exchange, 401, new JsonObject().put("detail", "service token required"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && path.startsWith("/internal/v1/agents/")) {
                String id = path.substring("/internal/v1/agents/".length());
                reads.merge(id, 1L, Long::sum);
                Hold hold = holds.get(id);
                if (hold != null) {
                    try {
                        hold.pass();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                JsonObject agent = agents.get(id);
                answer(exchange, agent == null ? 404 : 200, agent == null ? new JsonObject() : agent);
            } else if (exchange.getRequestMethod().equals("POST") && path.equals("/internal/v1/decisions")) {
                JsonObject decision = new JsonObject(new String(body, StandardCharsets.UTF_8));
                decisionRequests.add(decision);
                CountDownLatch together = decision.getString("approved_request_id") == null ? null
                        : resumptionBarriers.get(decision.getString("invocation_id"));
                if (together != null) {
                    together.countDown();
                    try {
                        together.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                boolean held = approvalAgents.contains(decision.getString("agent_id"))
                        && decision.getString("approved_request_id") == null;
                JsonObject answer = held ? requireApproval() : allow();
                if (!held) {
                    reservationsGiven.computeIfAbsent(decision.getString("invocation_id"),
                            id -> new CopyOnWriteArrayList<>()).add(answer.getString("reservation_id"));
                }
                answer(exchange, 200, answer);
            } else if (exchange.getRequestMethod().equals("POST") && path.equals("/internal/v1/approval-requests")) {
                JsonObject opening = new JsonObject(new String(body, StandardCharsets.UTF_8));
                approvalRequests.add(opening);
                String id = PrefixedId.next(PrefixedId.APPROVAL);
                var hook = openHooks.remove(opening.getString("agent_id"));
                if (hook != null) {
                    hook.accept(id, opening);
                }
                answer(exchange, 201, new JsonObject().put("id", id)
                        .put("status", trustingAgents.contains(opening.getString("agent_id")) ? "approved"
                                : "pending"));
            } else if (exchange.getRequestMethod().equals("POST") && path.startsWith("/internal/v1/reservations/")
                    && path.endsWith("/release")) {
                String id = path.substring("/internal/v1/reservations/".length(), path.length() - "/release".length());
                releases.add(id);
                answer(exchange, 200, new JsonObject().put("reservation_id", id).put("status", "released"));
            } else {
                answer(exchange, 404, new JsonObject());
            }
        }
    }

    private static JsonObject allow() {
        return new JsonObject()
                .put("decision_id", PrefixedId.next(PrefixedId.DECISION))
                .put("outcome", "ALLOW")
                .put("reason", "allowed")
                .put("reservation_id", "res_" + PrefixedId.next(PrefixedId.DECISION))
                .put("estimated_cost", 0.05)
                .put("rate_limit", new JsonObject().put("window", "minute").put("limit", 1000).put("remaining", 999)
                        .put("reset_at", Instant.now().plusSeconds(60).toString()))
                .put("rate_limit_fail_open", false)
                .put("policy", new JsonObject().put("effect", "allow").put("policy_id", ALLOWING_POLICY)
                        .put("matched_policies", new JsonArray(List.of(ALLOWING_POLICY)))
                        .put("policy_versions", new JsonArray(List.of(new JsonObject().put("policy_id", ALLOWING_POLICY)
                                .put("version", 3))))
                        .put("default_effect_applied", false))
                .put("approval_triggers", new JsonArray(List.of()))
                .put("cost_per_execution", 0.05)
                .put("token_rates", new JsonObject().put("input_token_rate", 0.00001).put("output_token_rate", 0.00003)
                        .put("base_invocation_cost", 0.001));
    }

    /** An approval trigger fired; governance gave back what it had reserved, so the decision holds nothing. */
    private static JsonObject requireApproval() {
        return new JsonObject()
                .put("decision_id", PrefixedId.next(PrefixedId.DECISION))
                .put("outcome", "REQUIRE_APPROVAL")
                .put("reason", "Cost threshold exceeded ($150.00 > $100.00)")
                .put("estimated_cost", 150.0)
                .put("rate_limit_fail_open", false)
                .put("approval_triggers", new JsonArray(List.of(new JsonObject().put("trigger", "cost_threshold")
                        .put("reason", "Cost threshold exceeded ($150.00 > $100.00)"))))
                .put("cost_per_execution", 0.05);
    }

    private static void answer(HttpExchange exchange, int status, JsonObject body) throws IOException {
        byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
