package io.kaizen.lineage.service;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.kaizen.lineage.config.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Holds personal data apart from the audit chain: each personal field of an event's data is replaced by a keyed
 * pseudonym, {@code psn_} + hex HMAC-SHA-256 (key {@code kaizen.lineage.audit.pseudonym-key}) of the organisation id,
 * a NUL and the lowercased value. The same value is the same pseudonym within an organisation, whatever its case,
 * and a different one in another organisation. The fields, by their JSON path in any event's data ({@link #PATHS}):
 * the external user (id, email, name, role), the external context, the caller's IP address, user agent and request headers, the
 * {@code user_id} of governance decisions, the {@code actor} who changed an agent, key, policy or setting, and the
 * people of an approval request (its requester, external user, decider, approvers and rejecters). A list field is
 * kept a list: each element becomes its own pseudonym, held as {@code <path>[<index>]}.
 */
@ApplicationScoped
public class PersonalFields {

    /** The personal fields of event data; an event type with a new personal field adds it here and to docs/events.md. */
    public static final List<String> PATHS = List.of("external_user.id", "external_user.email", "external_user.name",
            "external_user.role", "external_system.context", "request.ip_address", "request.user_agent",
            "request.headers", "user_id", "actor", "requested_by_user_id", "external_user_id", "decided_by", "approvers",
            "rejecters");
    /** The fields that name a person across events: erasing an address also erases the events of these ids. */
    public static final List<String> PERSON_IDS = List.of("external_user.id", "user_id", "external_user_id");

    /** Reads numbers exactly, so the data keeps its amounts as they were sent. */
    private static final ObjectMapper DATA = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** One personal value taken out of a record's data. */
    public record Held(String field, String pseudonym, String value) {
    }

    /**
     * The data as chained (null when it was not JSON), the personal values it no longer holds, and the chained data
     * as read (null when it was not JSON), for the record's other fields without reading it again.
     */
    public record Separated(String data, List<Held> held, JsonNode tree) {
    }

    /** The personal fields' paths, split once. */
    private static final List<String[]> STEPS = PATHS.stream().map(path -> path.split("\\.")).toList();

    private final SecretKeySpec key;

    PersonalFields(AuditConfig config) {
        this.key = new SecretKeySpec(config.pseudonymKey().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public Separated separate(String organizationId, String data) {
        JsonNode tree;
        try {
            tree = data == null ? null : DATA.readTree(data);
        } catch (JsonProcessingException e) {
            // unreadable data might hold anything, personal data included: it stays out of the audit log
            return new Separated(null, List.of(), null);
        }
        if (tree == null) {
            return new Separated(null, List.of(), null);
        }
        List<Held> held = new ArrayList<>();
        for (int p = 0; p < PATHS.size(); p++) {
            String path = PATHS.get(p);
            String[] steps = STEPS.get(p);
            JsonNode parent = tree;
            for (int i = 0; i < steps.length - 1 && parent != null; i++) {
                parent = parent.get(steps[i]);
            }
            String name = steps[steps.length - 1];
            if (parent instanceof ObjectNode object && object.get(name) instanceof ArrayNode list) {
                // each person of a list (approvers, rejecters) is a pseudonym of their own, held as path[i], so that
                // erasing one of them finds the record
                for (int i = 0; i < list.size(); i++) {
                    JsonNode element = list.get(i);
                    if (element != null && !element.isNull()) {
                        String value = element.isTextual() ? element.asText() : element.toString();
                        String pseudonym = pseudonym(organizationId, value);
                        list.set(i, TextNode.valueOf(pseudonym));
                        held.add(new Held(path + "[" + i + "]", pseudonym, value));
                    }
                }
            } else if (parent instanceof ObjectNode object && object.hasNonNull(name)) {
                JsonNode node = object.get(name);
                String value = node.isTextual() ? node.asText() : node.toString();
                String pseudonym = pseudonym(organizationId, value);
                object.put(name, pseudonym);
                held.add(new Held(path, pseudonym, value));
            }
        }
        try {
            return new Separated(DATA.writeValueAsString(tree), held, tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is writable", e);
        }
    }

    public String pseudonym(String organizationId, String value) {
        String input = organizationId + '\0' + value.toLowerCase(Locale.ROOT);
        if (input.length() > REMEMBERED_LENGTH) {
            return hmac(input);
        }
        String known = remembered.get(input);
        if (known != null) {
            return known;
        }
        if (remembered.size() >= REMEMBERED) {
            remembered.clear();
        }
        String pseudonym = hmac(input);
        remembered.put(input, pseudonym);
        return pseudonym;
    }

    /**
     * Forgets the values whose pseudonyms it remembers: an erasure leaves no address in this process either (its
     * pseudonym is the same when computed again).
     */
    public void forgetValues() {
        remembered.clear();
    }

    /** Whether this process holds a value with its pseudonym (an erasure leaves it none). */
    public boolean remembers(String organizationId, String value) {
        return remembered.containsKey(organizationId + '\0' + value.toLowerCase(Locale.ROOT));
    }

    private String hmac(String input) {
        return "psn_" + HexFormat.of().formatHex(macs.get().doFinal(input.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Pseudonyms of short values computed lately (an id, an address, a name, an IP address): the same people come back
     * event after event, and each event has several, which as MACs cost as much as the rest of its audit record.
     * Bounded; long values (request headers, contexts) are rarely repeated and never remembered.
     */
    private static final int REMEMBERED = 10_000;
    private static final int REMEMBERED_LENGTH = 320;
    private final Map<String, String> remembered = new ConcurrentHashMap<>();

    /** One keyed MAC per thread: looking the algorithm up and keying it for every value costs more than the MAC. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::mac);

    private Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 with the configured pseudonym key", e);
        }
    }
}
