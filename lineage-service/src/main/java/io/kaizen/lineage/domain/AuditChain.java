package io.kaizen.lineage.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash of an audit record. The canonical form is the record's fields in a fixed order, each written as a
 * netstring of its UTF-8 bytes ({@code <byte length>:<bytes>,}) and a null as {@code -,}:
 * {@code kaizen-audit-chain-v1}, organization_id, seq (decimal), event_id, type, source, subject, agent_id,
 * occurred_at, recorded_at (ISO-8601 UTC as {@code Instant#toString} writes it, microseconds at most), data,
 * prev_hash. The hash is the lowercase hex SHA-256 of those bytes; the first record's prev_hash is 64 zeros.
 * Length prefixes make the form unambiguous without escaping, so any consumer can rebuild it.
 */
public final class AuditChain {

    public static final String FORMAT = "kaizen-audit-chain-v1";
    public static final String GENESIS = "0".repeat(64);

    /** The fields a record's hash covers. */
    public record Link(String organizationId, long seq, String eventId, String type, String source, String subject,
            String agentId, String occurredAt, String recordedAt, String data, String prevHash) {

        public static Link of(AuditEvent record) {
            return new Link(record.organizationId, record.seq, record.eventId, record.type, record.source,
                    record.subject, record.agentId, record.occurredAt.toString(), record.recordedAt.toString(),
                    record.data, record.prevHash);
        }
    }

    private AuditChain() {
    }

    public static String hash(Link link) {
        // the canonical form goes to the digest field by field, each field's bytes encoded once
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        for (String field : new String[] {FORMAT, link.organizationId(), Long.toString(link.seq()), link.eventId(),
                link.type(), link.source(), link.subject(), link.agentId(), link.occurredAt(), link.recordedAt(),
                link.data(), link.prevHash()}) {
            if (field == null) {
                digest.update(NULL);
            } else {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(bytes);
                digest.update((byte) ',');
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final byte[] NULL = "-,".getBytes(StandardCharsets.US_ASCII);

    /** One digest per thread: looking the algorithm up for every record costs more than a short record's hash. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });
}
