package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.governance.domain.PolicyRecord;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.policy.Policy;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads and writes the JSON text columns (tags, approval triggers, policy targets and conditions). */
@ApplicationScoped
public class JsonColumns {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private static final TypeReference<List<BigDecimal>> DECIMALS = new TypeReference<>() {
    };

    private final ObjectMapper mapper;

    JsonColumns(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable: " + value.getClass().getName(), e);
        }
    }

    public JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public List<String> strings(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return mapper.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public List<BigDecimal> decimals(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return mapper.readValue(json, DECIMALS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public ApprovalTriggerSettings triggers(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json, ApprovalTriggerSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored approval triggers are unreadable", e);
        }
    }

    /** The evaluable form of a stored policy (stored policies were validated when written). */
    public Policy policy(PolicyRecord record) {
        return new Policy(record.id, record.name, Effect.valueOf(record.effect.toUpperCase()), record.priority,
                record.enabled, record.version, PolicyValidator.target(tree(record.target), "target"),
                PolicyValidator.matchAll(record.match, "match"),
                PolicyValidator.conditions(tree(record.conditions), "conditions"));
    }
}
