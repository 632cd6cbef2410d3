package io.kaizen.examples.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Verifies the records of {@code kaizen.audit.v1} as they arrive, per organisation: each must follow the last one
 * verified (seq + 1, prev_hash = its hash) and its hash must be the SHA-256 of its canonical form (docs/events.md).
 * A record at or below the last seq is a redelivery and is skipped.
 */
public final class ChainVerifier {

    public static final String GENESIS = "0".repeat(64);
    private static final String[] CHAINED = {"organization_id", "seq", "event_id", "type", "source", "subject",
            "agent_id", "occurred_at", "recorded_at", "data", "prev_hash"};

    /** The last verified record of an organisation. */
    public record Head(long seq, String hash) {
    }

    public enum Outcome {
        /** The record follows its organisation's chain. */
        VERIFIED,
        /** The first record seen of an organisation whose earlier records this consumer never saw. */
        ANCHORED,
        /** Already verified: a redelivery. */
        SEEN,
        /** The record does not follow the chain, or its hash is not its content's. */
        BROKEN
    }

    public record Result(Outcome outcome, String organizationId, long seq, String reason) {
    }

    private final Map<String, Head> heads;

    public ChainVerifier(Map<String, Head> heads) {
        this.heads = new HashMap<>(heads);
    }

    public Map<String, Head> heads() {
        return Map.copyOf(heads);
    }

    public Result accept(JsonNode record) {
        String org = record.path("organization_id").asText();
        long seq = record.path("seq").asLong();
        String hash = record.path("hash").asText();
        Head head = heads.get(org);
        if (head != null && seq <= head.seq()) {
            return new Result(Outcome.SEEN, org, seq, null);
        }
        if (!hash(record).equals(hash)) {
            return new Result(Outcome.BROKEN, org, seq, "its hash is not the hash of its content");
        }
        Outcome outcome = Outcome.VERIFIED;
        if (head == null && seq != 1) {
            outcome = Outcome.ANCHORED;
        } else {
            Head previous = head == null ? new Head(0, GENESIS) : head;
            if (seq != previous.seq() + 1) {
                return new Result(Outcome.BROKEN, org, seq, "records " + (previous.seq() + 1) + " to " + (seq - 1)
                        + " are missing");
            }
            if (!previous.hash().equals(record.path("prev_hash").asText())) {
                return new Result(Outcome.BROKEN, org, seq, "its prev_hash is not the hash of record " + previous.seq());
            }
        }
        heads.put(org, new Head(seq, hash));
        return new Result(outcome, org, seq, null);
    }

    /** The hex SHA-256 of the canonical form: the fields in order, each a netstring of its UTF-8 bytes, null "-,". */
    public static String hash(JsonNode record) {
        StringBuilder form = new StringBuilder(netstring("kaizen-audit-chain-v1"));
        for (String name : CHAINED) {
            JsonNode value = record.path(name);
            form.append(value.isNull() || value.isMissingNode() ? "-," : netstring(value.asText()));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(form.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String netstring(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length + ":" + value + ",";
    }
}
