package io.kaizen.lineage.rest;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.QueryTime;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.lineage.domain.AuditEvent;
import io.kaizen.lineage.service.AuditLog;
import io.kaizen.lineage.service.AuditVerifier;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The caller's organisation's audit chain: its records and their verification. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditLog audit;
    private final AuditVerifier verifier;
    private final CurrentPrincipal caller;

    AuditResource(AuditLog audit, AuditVerifier verifier, CurrentPrincipal caller) {
        this.audit = audit;
        this.verifier = verifier;
        this.caller = caller;
    }

    /** A personal value behind a pseudonym of {@code data}, while it is held (erasure deletes it). */
    public record PersonalValue(String field, String pseudonym, String value) {
    }

    @Schema(name = "AuditRecord")
    public record Entry(long seq, String eventId, String type, @Schema(nullable = true) String source,
            @Schema(nullable = true) String subject, @Schema(nullable = true) String agentId, Instant occurredAt,
            Instant recordedAt,
            @Schema(nullable = true, description = "The event's data, personal fields as pseudonyms") JsonNode data,
            List<PersonalValue> personalData, String prevHash, String hash) {

        static Entry of(AuditLog.Entry entry) {
            AuditEvent r = entry.record();
            return new Entry(r.seq, r.eventId, r.type, r.source, r.subject, r.agentId, r.occurredAt, r.recordedAt,
                    entry.data(), entry.personalData().stream()
                            .map(v -> new PersonalValue(v.field(), v.pseudonym(), v.value())).toList(),
                    r.prevHash, r.hash);
        }
    }

    @Schema(name = "AuditPage")
    public record Page(List<Entry> items, long total, int page, int limit, boolean hasMore,
            @Schema(nullable = true, description = "The after_seq of the next page, when there is one") Long nextAfterSeq) {
    }

    @Schema(name = "AuditVerification")
    public record Verification(boolean valid, long recordsChecked,
            @Schema(nullable = true, description = "The first seq that does not verify; null when valid") Long firstBrokenSeq) {
    }

    /**
     * Records in seq order. {@code from}/{@code to} bound {@code occurred_at} (ISO-8601, to exclusive),
     * {@code from_seq}/{@code to_seq} bound seq (inclusive); {@code after_seq} pages by keyset instead of {@code page}.
     */
    @GET
    @PermissionsAllowed(Permissions.AUDIT_READ)
    public Uni<Page> list(@QueryParam("type") String type, @QueryParam("agent_id") String agentId,
            @QueryParam("subject") String subject, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("from_seq") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1"))
            String fromSeq,
            @QueryParam("to_seq") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String toSeq,
            @QueryParam("after_seq") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            String afterSeq, @QueryParam("page") String pageParam,
            @QueryParam("limit") String limitParam) {
        Paging paging = Paging.parse(pageParam, limitParam, 20, 100);
        Long after = seq("after_seq", afterSeq, 0);
        if (after != null && paging.page() > 1) {
            throw ProblemException.validation("Query parameters 'after_seq' and 'page' cannot be combined");
        }
        Instant fromTime = QueryTime.parse("from", from);
        Instant toTime = QueryTime.parse("to", to);
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw ProblemException.validation("Query parameter 'from' must be before 'to'");
        }
        Long fromSeqValue = seq("from_seq", fromSeq, 1);
        Long toSeqValue = seq("to_seq", toSeq, 1);
        if (fromSeqValue != null && toSeqValue != null && fromSeqValue > toSeqValue) {
            throw ProblemException.validation("Query parameter 'from_seq' must not be greater than 'to_seq'");
        }
        int limit = paging.limit();
        return audit.find(new AuditLog.Query(caller.organizationId(), blankToNull(type), blankToNull(agentId),
                        blankToNull(subject), fromTime, toTime, fromSeqValue, toSeqValue, after,
                        after == null ? paging.offset() : 0, limit))
                .map(slice -> {
                    List<Entry> items = slice.items().stream().map(Entry::of).toList();
                    boolean hasMore = after == null ? paging.hasMore(slice.total()) : slice.total() > items.size();
                    Long next = hasMore && !items.isEmpty() ? items.get(items.size() - 1).seq() : null;
                    return new Page(items, slice.total(), paging.page(), limit, hasMore, next);
                });
    }

    /** Recomputes the caller's organisation's chain from its first record to its head. */
    @GET
    @Path("/verify")
    @PermissionsAllowed(Permissions.AUDIT_READ)
    public Uni<Verification> verify() {
        return verifier.verify(caller.organizationId())
                .map(v -> new Verification(v.valid(), v.recordsChecked(), v.firstBrokenSeq()));
    }

    private static Long seq(String name, String value, long min) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // the problem below names the parameter
        }
        throw ProblemException.validation("Query parameter '" + name + "' must be a whole number from " + min);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
