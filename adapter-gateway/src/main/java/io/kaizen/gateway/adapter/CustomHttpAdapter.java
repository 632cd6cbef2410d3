package io.kaizen.gateway.adapter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.governance.TokenRates;
import io.kaizen.common.governance.UsdAmount;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Any HTTP endpoint: POST {@code {input, context, metadata, invocation_id}}; the JSON response is the output. A
 * {@code cost_usd} in the response (top level or under {@code metadata}) is the reported cost; {@code input_tokens}
 * and {@code output_tokens} (top level, under {@code usage} or under {@code metadata}) are the reported token counts.
 */
@ApplicationScoped
public class CustomHttpAdapter implements PlatformAdapter {

    private static final BigDecimal HALF_MICRO = new BigDecimal("0.0000005");

    private final OutboundHttp http;
    private final ObjectMapper mapper;

    CustomHttpAdapter(OutboundHttp http, ObjectMapper mapper) {
        this.http = http;
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "custom_http";
    }

    @Override
    public Uni<AgentReply> send(AgentCall call) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("input", call.input());
        payload.put("context", call.context() == null ? Map.of() : call.context());
        payload.put("metadata", call.metadata() == null ? Map.of() : call.metadata());
        payload.put("invocation_id", call.invocationId());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        headers.put("traceparent", call.traceparent());
        headers.put("X-Kaizen-Invocation-ID", call.invocationId());
        headers.put("X-Kaizen-Trace-ID", call.traceId());
        headers.put("X-Kaizen-Organization-ID", call.organizationId());
        return http.post(call.agent().endpointUrl(), headers, Buffer.buffer(write(payload)),
                Duration.ofSeconds(call.agent().timeoutSeconds()))
                .map(reply -> {
                    if (reply.status() < 200 || reply.status() >= 300) {
                        throw new UpstreamException("agent answered HTTP " + reply.status(), false, reply.status());
                    }
                    JsonNode output = parse(reply.body());
                    return new AgentReply(reply.status(), output, reportedCost(output),
                            reportedTokens(output, "input_tokens"), reportedTokens(output, "output_tokens"));
                });
    }

    private JsonNode parse(Buffer body) {
        if (body.length() == 0) {
            return mapper.nullNode();
        }
        try {
            return mapper.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            return mapper.getNodeFactory().textNode(body.toString());
        }
    }

    /**
     * The agent's {@code cost_usd} rounded to whole micro-USD; null when absent, not a number, negative or above
     * the largest estimate a caller may give (such a report is not believed: the configured cost is charged).
     */
    private static BigDecimal reportedCost(JsonNode output) {
        JsonNode cost = output.path("cost_usd");
        if (cost.isMissingNode()) {
            cost = output.path("metadata").path("cost_usd");
        }
        BigDecimal value = cost.isNumber() ? UsdAmount.exact(cost.numberValue()) : null;
        if (!UsdAmount.inRange(value)) {
            return null;
        }
        // compared before rounding: scaling an amount like 1e-999999999 would never end
        if (value.compareTo(HALF_MICRO) < 0) {
            return BigDecimal.ZERO;
        }
        return value.scale() <= 6 ? value : value.setScale(6, RoundingMode.HALF_UP);
    }

    /**
     * A token count the agent reported: the first of {@code field}, {@code usage.field} and {@code metadata.field}
     * that is present, when it is a JSON integer from 0 to {@link TokenRates#MAX_TOKENS}; null otherwise (a string, a
     * number written with a fraction or an exponent, a negative or larger number is not believed, and the call is
     * priced without it).
     */
    private static Long reportedTokens(JsonNode output, String field) {
        JsonNode count = output.path(field);
        if (count.isMissingNode()) {
            count = output.path("usage").path(field);
        }
        if (count.isMissingNode()) {
            count = output.path("metadata").path(field);
        }
        if (!count.isIntegralNumber() || !count.canConvertToLong()) {
            return null;
        }
        long value = count.longValue();
        return TokenRates.believable(value) ? value : null;
    }

    private String write(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invocation payload is not serialisable", e);
        }
    }
}
