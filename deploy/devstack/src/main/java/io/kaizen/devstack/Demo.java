package io.kaizen.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.vertx.core.json.JsonObject;

/**
 * {@code ./kaizen demo}: the skeleton path against a running stack, as a caller would walk it — register a
 * custom_http agent aimed at the sink, invoke it through the router, and print the lineage row it produced.
 */
final class Demo {

    private static final Duration LINEAGE_WAIT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String sinkUrl;
    private final String token;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Demo(String baseUrl, String sinkUrl, DevKeys keys, PrintStream out) {
        this.baseUrl = baseUrl;
        this.sinkUrl = sinkUrl;
        this.token = keys.token("org_dev", List.of("org_owner"), "dev-user", null, Duration.ofMinutes(10));
        this.out = out;
    }

    int run() throws IOException, InterruptedException {
        String name = "Demo echo " + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        JsonObject agent = new JsonObject().put("name", name).put("platform", "custom_http")
                .put("endpoint_url", sinkUrl + "/demo-agent").put("description", "Echoes what it receives");
        HttpResponse<String> registered = send("POST", "/api/v1/external-agents", agent, false);
        step("1. registered the agent", registered);
        if (registered.statusCode() != 201) {
            return 1;
        }
        String agentId = new JsonObject(registered.body()).getString("id");

        JsonObject input = new JsonObject().put("input", "What were Q3 sales in EMEA?")
                .put("context", new JsonObject().put("region", "emea"));
        HttpResponse<String> invoked = send("POST", "/api/v1/external-agents/" + agentId + "/invoke", input, true);
        step("2. invoked it through the gateway", invoked);
        invoked.headers().map().forEach((header, values) -> {
            if (header.toLowerCase().startsWith("x-kaizen") || header.toLowerCase().startsWith("x-ratelimit")) {
                out.println("   " + header + ": " + String.join(",", values));
            }
        });
        if (invoked.statusCode() != 200) {
            return 1;
        }
        String invocationId = new JsonObject(invoked.body()).getString("invocation_id");

        long deadline = System.nanoTime() + LINEAGE_WAIT.toNanos();
        HttpResponse<String> lineage;
        do {
            lineage = send("GET", "/api/v1/lineage/" + invocationId, null, false);
            if (lineage.statusCode() == 200) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        step("3. its lineage row (recorded by lineage-service from Kafka)", lineage);
        return lineage.statusCode() == 200 ? 0 : 1;
    }

    private HttpResponse<String> send(String method, String path, JsonObject body, boolean lineageHeaders)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (lineageHeaders) {
            request.header("X-External-User-ID", "demo-user-1")
                    .header("X-External-User-Email", "jane.smith@example.com")
                    .header("X-External-User-Name", "Jane Smith")
                    .header("X-External-System", "copilot")
                    .header("X-External-Session-ID", "demo-session-1");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void step(String title, HttpResponse<String> response) {
        out.println();
        out.println(title + " → HTTP " + response.statusCode() + " " + response.request().method() + " "
                + response.request().uri().getPath());
        String body = response.body();
        try {
            body = new JsonObject(body).encodePrettily();
        } catch (RuntimeException notJson) {
            // print as received
        }
        body.lines().forEach(line -> out.println("   " + line));
    }
}
