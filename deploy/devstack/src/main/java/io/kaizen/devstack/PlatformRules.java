package io.kaizen.devstack;

import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * How one messaging platform judges a request, for its emulator ({@link Sink#Sink(io.vertx.core.Vertx, int,
 * PlatformRules)}): the platform's own error for a request it would reject (its documented limits, malformed
 * markup, missing fields or headers), and its success answer otherwise.
 */
public interface PlatformRules {

    /** The platform key of registry ({@code slack}, {@code discord}, …). */
    String platform();

    /** The platform's answer to this request. */
    Answer answer(SinkRequest request);

    /** The body as a JSON object, or null when it is not valid JSON or not an object (each platform answers that its own way). */
    static JsonObject jsonObject(String body) {
        try {
            return Json.decodeValue(body) instanceof JsonObject object ? object : null;
        } catch (DecodeException e) {
            return null;
        }
    }

    /** A status, a content type and a body, as the platform sends them. */
    record Answer(int status, String contentType, String body) {

        public boolean accepted() {
            return status >= 200 && status < 300;
        }
    }
}
