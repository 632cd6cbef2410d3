package io.kaizen.lineage.rest;

import java.util.Locale;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.lineage.service.LineageService;
import io.quarkus.security.PermissionsAllowed;
import io.vertx.core.buffer.Buffer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/**
 * The export of the caller's organisation's lineage. A class of its own without {@code @Produces}: the format is a
 * query parameter, and a streamed answer whose media type is chosen per request must not be negotiated.
 */
@Path("/api/v1/lineage/export")
public class LineageExportResource {

    private final LineageService lineage;
    private final CurrentPrincipal caller;
    private final ObjectMapper mapper;

    LineageExportResource(LineageService lineage, CurrentPrincipal caller, ObjectMapper mapper) {
        this.lineage = lineage;
        this.caller = caller;
        this.mapper = mapper;
    }

    /**
     * Every row the filters of the list match, newest first, as one document streamed page by page: {@code format}
     * json (default), ndjson or csv.
     */
    @GET
    @PermissionsAllowed(Permissions.LINEAGE_EXPORT)
    @APIResponse(responseCode = "200", description = "The rows, streamed: a JSON array (json), one JSON object a line"
            + " (ndjson) or RFC 4180 CSV with a header row (csv)", content = {
                    @Content(mediaType = "application/json",
                            schema = @Schema(type = SchemaType.ARRAY, implementation = LineageView.class)),
                    @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING))})
    public RestMulti<Buffer> export(
            @QueryParam("format") @Parameter(schema = @Schema(enumeration = {"json", "ndjson", "csv"},
                    defaultValue = "json")) String format,
            @QueryParam("external_user_id") String externalUserId,
            @QueryParam("external_user_email") String externalUserEmail,
            @QueryParam("external_system") String externalSystem,
            @QueryParam("external_agent_id") String externalAgentId, @QueryParam("status") String status,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        LineageExport.Format chosen = format(format);
        LineageService.Query query = LineageResource.query(caller.organizationId(), externalUserId, externalUserEmail,
                externalSystem, externalAgentId, status, from, to);
        return RestMulti.fromMultiData(new LineageExport(mapper, chosen).write(lineage.pages(query)))
                .status(200)
                .header("Content-Type", chosen.mediaType)
                .header("Content-Disposition", "attachment; filename=\"lineage_export." + chosen.extension + "\"")
                .encodeAsJsonArray(false)
                .build();
    }

    private static LineageExport.Format format(String format) {
        if (format == null || format.isBlank()) {
            return LineageExport.Format.JSON;
        }
        try {
            return LineageExport.Format.valueOf(format.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation("Query parameter 'format' must be json, ndjson or csv");
        }
    }
}
