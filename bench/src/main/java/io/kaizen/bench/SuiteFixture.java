package io.kaizen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.vertx.core.json.JsonObject;

/**
 * The benchmark's agents in the running suite, registered through the public API as any caller would: custom_http
 * agents of the organisation {@value #ORGANIZATION} aimed at the sink, named {@code bench-agent-001} and on,
 * without any budget limit and with rate limits far above any offered load, so every governed call runs the whole
 * pipeline and is allowed. Agents of an earlier run are reused; their governance is set again each time.
 */
final class SuiteFixture {

    static final String ORGANIZATION = "org_bench";
    static final String AGENT_PATH = "/bench-agent";

    private static final String NAME_PREFIX = "bench-agent-";
    private static final int PARALLEL_REQUESTS = 4;
    private static final int PAGE_LIMIT = 100;
    /** Budgets and execution limits -1 (none); rate limits per minute, hour and day far above 10,000/s. */
    private static final JsonObject UNLIMITED_GOVERNANCE = new JsonObject()
            .put("budget", new JsonObject()
                    .put("monthly_budget_usd", -1).put("daily_budget_usd", -1)
                    .put("monthly_execution_limit", -1).put("daily_execution_limit", -1)
                    .put("enforcement_mode", "hard"))
            .put("rate_limit", new JsonObject()
                    .put("requests_per_minute", 100_000_000).put("requests_per_hour", 1_000_000_000)
                    .put("requests_per_day", 2_000_000_000).put("user_requests_per_minute", -1));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI router;
    private final String endpointUrl;
    private final String token;

    private SuiteFixture(LocalSuite suite) {
        this.router = suite.router();
        this.endpointUrl = suite.sink().toString().replaceAll("/$", "") + AGENT_PATH;
        this.token = suite.ownerToken(ORGANIZATION);
    }

    /** The ids of {@code count} benchmark agents, ready to be invoked. */
    static List<String> agents(LocalSuite suite, int count, PrintStream out) {
        return new SuiteFixture(suite).prepare(count, out);
    }

    private List<String> prepare(int count, PrintStream out) {
        Map<String, JsonObject> existing = existingAgents();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            names.add(NAME_PREFIX + String.format("%03d", i));
        }
        long missing = names.stream().filter(name -> !existing.containsKey(name)).count();
        out.printf("agents: %d of %d already registered in %s; registering %d, then setting their limits%n",
                count - missing, count, ORGANIZATION, missing);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS);
        try {
            List<CompletableFuture<String>> ready = names.stream()
                    .map(name -> CompletableFuture.supplyAsync(() -> ready(name, existing.get(name)), pool)).toList();
            return ready.stream().map(SuiteFixture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    /** Registers the agent when absent, aims it at the sink, and lifts its limits. */
    private String ready(String name, JsonObject existing) {
        String id;
        if (existing == null) {
            id = expect(201, send("POST", "/api/v1/external-agents", new JsonObject().put("name", name)
                    .put("platform", "custom_http").put("endpoint_url", endpointUrl)
                    .put("description", "Answers ./kaizen bench from the devstack sink"))).getString("id");
        } else {
            id = existing.getString("id");
            if (!endpointUrl.equals(existing.getString("endpoint_url")) || !"active".equals(existing.getString("status"))) {
                expect(200, send("PATCH", "/api/v1/external-agents/" + id,
                        new JsonObject().put("endpoint_url", endpointUrl).put("status", "active")));
            }
        }
        JsonObject governance = expect(200, send("PATCH", "/api/v1/external-agents/" + id + "/governance",
                UNLIMITED_GOVERNANCE));
        JsonObject budget = governance.getJsonObject("budget");
        long perMinute = governance.getJsonObject("rate_limit").getLong("requests_per_minute");
        if (!unlimited(budget.getValue("monthly_budget_usd")) || !unlimited(budget.getValue("daily_budget_usd"))
                || perMinute < UNLIMITED_GOVERNANCE.getJsonObject("rate_limit").getLong("requests_per_minute")) {
            throw new IllegalStateException("agent " + id + " kept a limit: " + governance.encode());
        }
        return id;
    }

    /** Governance shows an absent limit as null. */
    private static boolean unlimited(Object limit) {
        return limit == null || (limit instanceof Number number && number.doubleValue() == -1);
    }

    private Map<String, JsonObject> existingAgents() {
        Map<String, JsonObject> byName = new HashMap<>();
        for (int page = 1; ; page++) {
            JsonObject listed = expect(200, send("GET", "/api/v1/external-agents?search=" + NAME_PREFIX + "&limit="
                    + PAGE_LIMIT + "&page=" + page, null));
            listed.getJsonArray("items").forEach(item -> {
                JsonObject agent = (JsonObject) item;
                byName.put(agent.getString("name"), agent);
            });
            if (!listed.getBoolean("has_more", false)) {
                return byName;
            }
        }
    }

    private static String join(CompletableFuture<String> agent) {
        try {
            return agent.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private HttpResponse<String> send(String method, String path, JsonObject body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(router.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonObject expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri().getPath()
                    + " answered " + response.statusCode() + " (expected " + status + "): " + response.body());
        }
        return new JsonObject(response.body());
    }
}
