package io.kaizen.lineage.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The lineage graph of one external agent or one workflow within an organisation: who called, from which system and
 * workflow, with which Kaizen credential, which agent, each distinct chain of the five layers counted by PostgreSQL
 * ({@code group by}), so the answer's size depends on the number of distinct chains, never on the number of rows.
 * <p>
 * Nodes, left to right: {@code external_user} → {@code external_system} → {@code workflow} (asked by workflow only)
 * → {@code api_key} or {@code jwt_subject} → {@code external_agent}. A row missing a layer links the layers it has,
 * so every edge joins two nodes of the answer. Chains are taken busiest first until the node limit; the totals
 * always count every matching row.
 */
@ApplicationScoped
public class LineageGraph {

    /** Distinct chains read at most; beyond it the graph is marked truncated. */
    static final int MAX_CHAINS = 5000;

    /** Exactly one of {@code externalAgentId}, {@code workflowId}; {@code to} is exclusive. */
    public record Query(String organizationId, String externalAgentId, String workflowId, Instant from, Instant to,
            int nodeLimit) {
    }

    @Schema(name = "LineageGraphNode")
    public record Node(@Schema(description = "Type-prefixed, e.g. agent:agt_…, user:ext-42") String id,
            @Schema(enumeration = {"external_user", "external_system", "workflow", "api_key", "jwt_subject",
                    "external_agent"}) String type,
            String label,
            @Schema(description = "The layer's fields: external_user_id, external_user_email, external_agent_id, …")
            Map<String, Object> metadata) {
    }

    @Schema(name = "LineageGraphEdge")
    public record Edge(String id, String source, String target,
            @Schema(enumeration = {"uses", "runs", "authenticates_with", "invokes"}) String label,
            long invocations, long successCount, long failureCount, long blockedCount, BigDecimal costUsd,
            Instant lastSeen) {
    }

    @Schema(name = "LineageGraphTotals", description = "Every matching row, whether or not its chain is drawn")
    public record Totals(long invocations, long successCount, long failureCount, long blockedCount,
            BigDecimal costUsd) {
    }

    @Schema(name = "LineageGraphMetadata")
    public record Metadata(int totalNodes, int externalNodes, BigDecimal totalCostUsd,
            @Schema(description = "True when chains were left out to keep within node_limit") boolean truncated,
            int nodeLimit) {
    }

    @Schema(name = "LineageGraph")
    public record Graph(List<Node> nodes, List<Edge> edges, Totals totals, Metadata metadata) {
    }

    private static final String COUNTS = "count(*), count(*) filter (where status = 'success'),"
            + " count(*) filter (where status in ('failure', 'timeout')), count(*) filter (where status = 'blocked'),"
            + " coalesce(sum(cost_usd), 0)";
    private static final String CHAINS = "select external_user_id, max(external_user_email), max(external_user_name),"
            + " external_system, auth_method, coalesce(api_key_id, auth_subject), max(api_key_prefix),"
            + " external_agent_id, max(external_agent_name), max(external_agent_platform), " + COUNTS + ","
            + " max(request_timestamp) from lineage_record where %s"
            + " group by external_user_id, external_system, auth_method, coalesce(api_key_id, auth_subject),"
            + " external_agent_id order by count(*) desc, max(request_timestamp) desc limit " + (MAX_CHAINS + 1);
    private static final String TOTALS = "select " + COUNTS + " from lineage_record where %s";

    @WithSession
    public Uni<Graph> graph(Query query) {
        String where = where(query);
        return Panache.getSession().chain(session -> bind(session.createNativeQuery(TOTALS.formatted(where),
                        Object[].class), query).getSingleResult()
                .chain(totals -> bind(session.createNativeQuery(CHAINS.formatted(where), Object[].class), query)
                        .getResultList()
                        .map(chains -> build(query, chains, totals))));
    }

    private static String where(Query query) {
        StringBuilder where = new StringBuilder("organization_id = :org");
        // a workflow is the calling run, known by the trace it passes (X-External-Trace-ID, the parent trace)
        where.append(query.externalAgentId() != null ? " and external_agent_id = :agent"
                : " and (parent_trace_id = :workflow or external_trace_id = :workflow)");
        if (query.from() != null) {
            where.append(" and request_timestamp >= :from");
        }
        if (query.to() != null) {
            where.append(" and request_timestamp < :to");
        }
        return where.toString();
    }

    private static <Q extends Mutiny.SelectionQuery<?>> Q bind(Q q, Query query) {
        q.setParameter("org", query.organizationId());
        if (query.externalAgentId() != null) {
            q.setParameter("agent", query.externalAgentId());
        } else {
            q.setParameter("workflow", query.workflowId());
        }
        if (query.from() != null) {
            q.setParameter("from", query.from());
        }
        if (query.to() != null) {
            q.setParameter("to", query.to());
        }
        return q;
    }

    private static Graph build(Query query, List<Object[]> chains, Object[] sums) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, Node[]> ends = new LinkedHashMap<>();
        boolean truncated = chains.size() > MAX_CHAINS;
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (Object[] c : chains.subList(0, Math.min(chains.size(), MAX_CHAINS))) {
            List<Node> path = path(query, c);
            long added = path.stream().filter(n -> !nodes.containsKey(n.id())).count();
            if (nodes.size() + added > query.nodeLimit()) {
                truncated = true;
                continue;
            }
            path.forEach(n -> nodes.putIfAbsent(n.id(), n));
            Tally chain = new Tally(count(c[10]), count(c[11]), count(c[12]), count(c[13]), (BigDecimal) c[14],
                    LineageErasure.instant(c[15]));
            for (int i = 1; i < path.size(); i++) {
                String id = path.get(i - 1).id() + "->" + path.get(i).id();
                tallies.merge(id, chain, Tally::plus);
                ends.putIfAbsent(id, new Node[] {path.get(i - 1), path.get(i)});
            }
        }
        List<Edge> edges = new ArrayList<>();
        tallies.forEach((id, t) -> {
            Node[] end = ends.get(id);
            edges.add(new Edge(id, end[0].id(), end[1].id(), label(end[1].type()), t.invocations(), t.success(),
                    t.failure(), t.blocked(), t.costUsd(), t.lastSeen()));
        });
        Totals totals = new Totals(count(sums[0]), count(sums[1]), count(sums[2]), count(sums[3]),
                (BigDecimal) sums[4]);
        int external = (int) nodes.values().stream()
                .filter(n -> n.type().startsWith("external_")).count();
        return new Graph(List.copyOf(nodes.values()), List.copyOf(edges), totals,
                new Metadata(nodes.size(), external, totals.costUsd(), truncated, query.nodeLimit()));
    }

    /** What the rows behind an edge add up to. */
    private record Tally(long invocations, long success, long failure, long blocked, BigDecimal costUsd,
            Instant lastSeen) {

        Tally plus(Tally other) {
            return new Tally(invocations + other.invocations, success + other.success, failure + other.failure,
                    blocked + other.blocked, costUsd.add(other.costUsd),
                    lastSeen.isAfter(other.lastSeen) ? lastSeen : other.lastSeen);
        }
    }

    /** The nodes of one chain, in layer order, each layer the row has. */
    private static List<Node> path(Query query, Object[] c) {
        List<Node> path = new ArrayList<>();
        String userId = (String) c[0];
        String email = (String) c[1];
        if (userId != null || email != null) {
            String key = userId != null ? userId : email;
            path.add(new Node("user:" + key, "external_user", email != null ? email : key,
                    metadata("external_user_id", userId, "external_user_email", email, "external_user_name", c[2])));
        }
        String system = (String) c[3];
        if (system != null) {
            path.add(new Node("system:" + system, "external_system", system, metadata("external_system", system)));
        }
        if (query.workflowId() != null) {
            path.add(new Node("workflow:" + query.workflowId(), "workflow", query.workflowId(),
                    metadata("workflow_id", query.workflowId())));
        }
        String method = (String) c[4];
        String credential = (String) c[5];
        if (credential != null) {
            boolean apiKey = "api_key".equals(method);
            path.add(apiKey
                    ? new Node("api_key:" + credential, "api_key", c[6] != null ? (String) c[6] : credential,
                            metadata("api_key_id", credential, "api_key_prefix", c[6]))
                    : new Node("jwt:" + credential, "jwt_subject", credential, metadata("auth_subject", credential)));
        }
        String agentId = (String) c[7];
        path.add(new Node("agent:" + agentId, "external_agent", c[8] != null ? (String) c[8] : agentId,
                metadata("external_agent_id", agentId, "external_agent_name", c[8], "platform", c[9])));
        return path;
    }

    /** What an edge into a node of this type means. */
    private static String label(String targetType) {
        return switch (targetType) {
            case "external_system" -> "uses";
            case "workflow" -> "runs";
            case "api_key", "jwt_subject" -> "authenticates_with";
            default -> "invokes";
        };
    }

    /** Name-value pairs without the null values. */
    private static Map<String, Object> metadata(Object... pairs) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                metadata.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return metadata;
    }

    private static long count(Object value) {
        return ((Number) value).longValue();
    }
}
