package io.kaizen.devstack;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SinkTest {

    private static Vertx vertx;
    private static Sink sink;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startSink() {
        vertx = Vertx.vertx();
        sink = new Sink(vertx, 0);
        sink.start();
    }

    @AfterAll
    static void stopSink() {
        sink.stop();
        Await.result(vertx.close(), "close");
    }

    @BeforeEach
    void reset() {
        sink.reset();
    }

    @Test
    void recordsRequestsAndEchoesJsonBodies() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/hooks/teams?x=1&y=2"))
                .header("Content-Type", "application/json")
                .header("X-Kaizen-Invocation-ID", "inv_1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject().put("result", "ok").put("received", new JsonObject().put("text", "hi")));
        Sink.SinkRequest recorded = sink.awaitRequests(1, Duration.ofSeconds(5)).get(0);
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.path()).isEqualTo("/hooks/teams");
        assertThat(recorded.query()).isEqualTo("x=1&y=2");
        assertThat(recorded.header("x-kaizen-invocation-id")).isEqualTo("inv_1");
        assertThat(recorded.header("X-Kaizen-Invocation-ID")).isEqualTo("inv_1");
        assertThat(recorded.body()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(recorded.receivedAt()).isNotNull();
    }

    @Test
    void echoesANonJsonBodyAsAString() throws Exception {
        HttpResponse<String> response = post("/plain", "not json");
        assertThat(new JsonObject(response.body()).getValue("received")).isEqualTo("not json");
    }

    @Test
    void answersWithTheProgrammedErrorForTimesRequestsThenTheDefault() throws Exception {
        sink.respond(503, 0, "{\"error\":\"down\"}", 2, Map.of("Retry-After", "1"));

        HttpResponse<String> first = post("/a", "1");
        HttpResponse<String> second = post("/a", "2");
        HttpResponse<String> third = post("/a", "3");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).isEqualTo("{\"error\":\"down\"}");
        assertThat(first.headers().firstValue("retry-after")).hasValue("1");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(third.body()).getInteger("received")).isEqualTo(3);
        assertThat(sink.requests()).hasSize(3);
    }

    @Test
    void honoursTheDelay() throws Exception {
        sink.respond(200, 700, null, 1);
        long begin = System.nanoTime();
        HttpResponse<String> slow = post("/slow", "{}");
        long slowMillis = (System.nanoTime() - begin) / 1_000_000;
        begin = System.nanoTime();
        post("/fast", "{}");
        long fastMillis = (System.nanoTime() - begin) / 1_000_000;

        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slowMillis).isGreaterThanOrEqualTo(700);
        assertThat(fastMillis).isLessThan(700);
    }

    @Test
    void keepsAnUntilResetBehaviourUntilReset() throws Exception {
        sink.respond(500, 0, null, -1);
        assertThat(post("/x", "1").statusCode()).isEqualTo(500);
        assertThat(post("/x", "2").statusCode()).isEqualTo(500);
        sink.reset();
        assertThat(post("/x", "3").statusCode()).isEqualTo(200);
        assertThat(sink.requests()).hasSize(1);
    }

    @Test
    void isControlledOverHttp() throws Exception {
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/_sink/behaviour"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"status\":429,\"delay_ms\":0,\"body\":{\"ok\":false},\"times\":1,\"headers\":{\"Retry-After\":\"2\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).isEqualTo(204);

        HttpResponse<String> limited = post("/api", "{\"n\":1}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(new JsonObject(limited.body())).isEqualTo(new JsonObject().put("ok", false));
        assertThat(limited.headers().firstValue("retry-after")).hasValue("2");
        assertThat(post("/api", "{\"n\":2}").statusCode()).isEqualTo(200);

        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/_sink/requests")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonArray requests = new JsonArray(listed.body());
        assertThat(requests).hasSize(2);
        JsonObject first = requests.getJsonObject(0);
        assertThat(first.getString("method")).isEqualTo("POST");
        assertThat(first.getString("path")).isEqualTo("/api");
        assertThat(first.getString("body")).isEqualTo("{\"n\":1}");
        assertThat(first.getJsonObject("headers").getString("content-type")).isEqualTo("application/json");
        assertThat(first.getString("received_at")).isNotBlank();

        HttpResponse<String> cleared = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/_sink/requests")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cleared.statusCode()).isEqualTo(204);
        assertThat(sink.requests()).isEmpty();
    }

    @Test
    void awaitRequestsWaitsForLateRequestsAndFailsWhenTheyNeverCome() throws Exception {
        CompletableFuture<List<Sink.SinkRequest>> waiting = CompletableFuture.supplyAsync(() -> sink.awaitRequests(2, Duration.ofSeconds(10)));
        post("/one", "1");
        post("/two", "2");
        assertThat(waiting.get()).extracting(Sink.SinkRequest::path).containsExactly("/one", "/two");

        assertThatThrownBy(() -> sink.awaitRequests(3, Duration.ofMillis(200)))
                .hasMessageContaining("expected 3 requests");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sink.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
