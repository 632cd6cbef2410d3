package io.kaizen.registry.service;

import java.util.Map;
import java.util.Set;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.TextLength;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.Platform;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

/** The filters, sort and page of an agent list, validated; builds the HQL it stands for. */
public record AgentQuery(String organizationId, String platform, String status, String environment, String tag,
        String search, String sort, Paging paging) {

    private static final Set<String> STATUSES = Set.of("active", "inactive", "deleted");
    private static final Map<String, String> SORTS = Map.of("created_at", "createdAt", "updated_at", "updatedAt",
            "name", "name");

    public AgentQuery {
        if (platform != null && java.util.Arrays.stream(Platform.values()).noneMatch(p -> p.wire().equals(platform))) {
            throw ProblemException.validation("Query parameter 'platform' must be one of: teams, discord, slack, "
                    + "telegram, notion, custom_http");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("Query parameter 'status' must be one of: active, inactive, deleted");
        }
        if (environment != null
                && java.util.Arrays.stream(Environment.values()).noneMatch(e -> e.wire().equals(environment))) {
            throw ProblemException.validation("Query parameter 'environment' must be one of: production, staging, "
                    + "development");
        }
        if (tag != null && !tag.matches("[A-Za-z0-9_.:-]{1,50}")) {
            throw ProblemException.validation("Query parameter 'tag' must be 1–50 letters, digits or _.:-");
        }
        if (search != null && TextLength.of(search) > 200) {
            throw ProblemException.validation("Query parameter 'search' is longer than 200 characters");
        }
        if (sort == null || sort.isBlank()) {
            sort = "-created_at";
        }
        if (!SORTS.containsKey(sort.startsWith("-") ? sort.substring(1) : sort)) {
            throw ProblemException.validation("Query parameter 'sort' must be one of: created_at, updated_at, name "
                    + "(prefix - for descending)");
        }
    }

    public String where() {
        StringBuilder where = new StringBuilder("organizationId = :org");
        where.append(status == null ? " and status <> 'deleted'" : " and status = :status");
        if (platform != null) {
            where.append(" and platform = :platform");
        }
        if (environment != null) {
            where.append(" and environment = :environment");
        }
        if (tag != null) {
            where.append(" and tags like :tag");
        }
        if (search != null && !search.isBlank()) {
            where.append(" and (lower(name) like :search escape '\\' or lower(coalesce(description, '')) like :search escape '\\')");
        }
        return where.toString();
    }

    public Parameters parameters() {
        Parameters params = Parameters.with("org", organizationId);
        if (status != null) {
            params.and("status", status);
        }
        if (platform != null) {
            params.and("platform", platform);
        }
        if (environment != null) {
            params.and("environment", environment);
        }
        if (tag != null) {
            params.and("tag", "%\"" + tag + "\"%");
        }
        if (search != null && !search.isBlank()) {
            String escaped = search.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
            params.and("search", "%" + escaped + "%");
        }
        return params;
    }

    public Sort order() {
        boolean descending = sort.startsWith("-");
        String field = SORTS.get(descending ? sort.substring(1) : sort);
        return Sort.by(field, descending ? Sort.Direction.Descending : Sort.Direction.Ascending).and("id");
    }
}
