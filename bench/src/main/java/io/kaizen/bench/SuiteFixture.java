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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.vertx.core.json.JsonObject;

/**
 * The benchmark's agents in the running suite, registered through the public API as any caller would: custom_http
 * agents of the organisation {@value #ORGANIZATION} aimed at the sink, named {@code bench-agent-001} and on, and one
 * agent per messaging platform aimed at its emulator ({@code bench-platform-slack}, …), all without any budget
 * limit and with rate limits far above any offered load, so every governed call runs the whole pipeline and is
 * allowed. Agents of an earlier run are reused; their definition (when it may have changed) and governance are set
 * again each time.
 */
final class SuiteFixture {

    static final String ORGANIZATION = "org_bench";
    static final String AGENT_PATH = "/bench-agent";

    private static final String NAME_PREFIX = "bench-agent-";
    private static final String PLATFORM_NAME_PREFIX = "bench-platform-";
    /** Made-up credentials in the shapes registry and the emulators check; the emulators accept any such value. */
    private static final String TELEGRAM_BOT_TOKEN = "123456789:BenchBenchBenchBenchBench";
    private static final String TELEGRAM_CHAT_ID = "-1001234567890";
    private static final String NOTION_DATABASE_ID = "0123456789abcdef0123456789abcdef";
    private static final String NOTION_TOKEN = "secret_BenchBenchBenchBenchBench";
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

    /**
     * An agent as the benchmark registers it.
     *
     * @param fields what is sent besides the name: platform, description, endpoint_url, platform_config
     */
    private record Definition(String name, JsonObject fields) {

        /**
         * Whether a registered agent is already as defined. Registry masks the secrets of platform_config when it
         * shows an agent, so an agent with a platform_config is always set again.
         */
        boolean matches(JsonObject existing) {
            return !fields.containsKey("platform_config") && "active".equals(existing.getString("status"))
                    && fields.getString("endpoint_url").equals(existing.getString("endpoint_url"));
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LocalSuite suite;
    private final URI router;
    private final String token;

    private SuiteFixture(LocalSuite suite) {
        this.suite = suite;
        this.router = suite.router();
        this.token = suite.ownerToken(ORGANIZATION);
    }

    /** The ids of {@code count} benchmark agents, ready to be invoked. */
    static List<String> agents(LocalSuite suite, int count, PrintStream out) {
        String endpointUrl = suite.sink().toString().replaceAll("/$", "") + AGENT_PATH;
        List<Definition> definitions = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            definitions.add(new Definition(NAME_PREFIX + String.format("%03d", i), new JsonObject()
                    .put("platform", "custom_http").put("endpoint_url", endpointUrl)
                    .put("description", "Answers ./kaizen bench from the devstack sink")));
        }
        return new SuiteFixture(suite).prepare(definitions, NAME_PREFIX, out);
    }

    /** The id of one benchmark agent per platform, aimed at the platform's emulator, by platform. */
    static Map<String, String> platformAgents(LocalSuite suite, List<String> platforms, PrintStream out) {
        SuiteFixture fixture = new SuiteFixture(suite);
        List<Definition> definitions = platforms.stream().map(fixture::platformAgent).toList();
        List<String> ids = fixture.prepare(definitions, PLATFORM_NAME_PREFIX, out);
        Map<String, String> byPlatform = new LinkedHashMap<>();
        for (int i = 0; i < platforms.size(); i++) {
            byPlatform.put(platforms.get(i), ids.get(i));
        }
        return byPlatform;
    }

    /** What registry requires of each platform, with the emulator as the destination. */
    private Definition platformAgent(String platform) {
        String emulator = suite.emulator(platform).toString().replaceAll("/$", "");
        JsonObject fields = new JsonObject().put("platform", platform)
                .put("description", "Posts ./kaizen bench messages to the devstack's " + platform + " emulator");
        JsonObject config = switch (platform) {
            case "slack" -> new JsonObject().put("webhook_url", emulator + "/services/T000/B000/XXXX");
            case "discord" -> new JsonObject().put("webhook_url", emulator + "/api/webhooks/1/token");
            case "teams" -> new JsonObject().put("webhook_url", emulator + "/workflows/bench");
            case "telegram" -> new JsonObject().put("bot_token", TELEGRAM_BOT_TOKEN).put("chat_id", TELEGRAM_CHAT_ID);
            case "notion" -> new JsonObject().put("database_id", NOTION_DATABASE_ID).put("token", NOTION_TOKEN);
            default -> throw new IllegalArgumentException("no emulator for platform " + platform);
        };
        if (platform.equals("telegram") || platform.equals("notion")) {
            fields.put("endpoint_url", emulator);
        }
        return new Definition(PLATFORM_NAME_PREFIX + platform, fields.put("platform_config", config));
    }

    private List<String> prepare(List<Definition> definitions, String namePrefix, PrintStream out) {
        Map<String, JsonObject> existing = existingAgents(namePrefix);
        long missing = definitions.stream().filter(definition -> !existing.containsKey(definition.name())).count();
        out.printf("agents %s*: %d of %d already registered in %s; registering %d, then setting their limits%n",
                namePrefix, definitions.size() - missing, definitions.size(), ORGANIZATION, missing);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS);
        try {
            List<CompletableFuture<String>> ready = definitions.stream()
                    .map(definition -> CompletableFuture.supplyAsync(
                            () -> ready(definition, existing.get(definition.name())), pool))
                    .toList();
            return ready.stream().map(SuiteFixture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    /** Registers the agent when absent, else sets its definition again when needed, and lifts its limits. */
    private String ready(Definition definition, JsonObject existing) {
        String id;
        if (existing == null) {
            id = expect(201, send("POST", "/api/v1/external-agents",
                    definition.fields().copy().put("name", definition.name()))).getString("id");
        } else {
            id = existing.getString("id");
            if (!definition.matches(existing)) {
                JsonObject patch = definition.fields().copy().put("status", "active");
                patch.remove("platform");
                expect(200, send("PATCH", "/api/v1/external-agents/" + id, patch));
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

    private Map<String, JsonObject> existingAgents(String namePrefix) {
        Map<String, JsonObject> byName = new HashMap<>();
        for (int page = 1; ; page++) {
            JsonObject listed = expect(200, send("GET", "/api/v1/external-agents?search=" + namePrefix + "&limit="
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
