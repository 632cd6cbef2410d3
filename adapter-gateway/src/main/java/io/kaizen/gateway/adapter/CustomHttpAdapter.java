package io.kaizen.gateway.adapter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.governance.TokenRates;
import io.kaizen.common.governance.UsdAmount;
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

    private final ObjectMapper mapper;

    CustomHttpAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "custom_http";
    }

    @Override
    public OutboundRequest format(AgentCall call) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("input", call.input());
        payload.put("context", call.context() == null ? Map.of() : call.context());
        payload.put("metadata", call.metadata() == null ? Map.of() : call.metadata());
        payload.put("invocation_id", call.invocationId());
        return OutboundRequest.json(call.agent().endpointUrl(), write(payload))
                .withHeader("X-Kaizen-Trace-ID", call.traceId())
                .withHeader("X-Kaizen-Organization-ID", call.organizationId());
    }

    /** A message (a result notification) as JSON: {@code title}, {@code text}, {@code status}, {@code facts}, … */
    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("title", message.title());
        payload.put("text", message.text());
        payload.put("status", message.status().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, String> facts = new LinkedHashMap<>();
        message.facts().forEach(fact -> facts.put(fact.name(), fact.value()));
        payload.put("facts", facts);
        payload.put("link", message.link());
        payload.put("timestamp", message.timestamp().toString());
        return OutboundRequest.json(agent.endpointUrl(), write(payload));
    }

    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        JsonNode output = parse(reply.body());
        return new AgentReply(reply.status(), output, reportedCost(output),
                reportedTokens(output, "input_tokens"), reportedTokens(output, "output_tokens"));
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

    private byte[] write(Object payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invocation payload is not serialisable", e);
        }
    }
}
