package io.kaizen.gateway.rest;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.config.LineageConfig;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.service.CallerContext;
import io.kaizen.gateway.service.InvocationService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/external-agents/{id}/invoke")
public class InvokeResource {

    private static final String LINEAGE = "Lineage: required unless kaizen.lineage.strict=false";

    private final InvocationService invocations;
    private final CurrentPrincipal caller;
    private final LineageConfig config;

    InvokeResource(InvocationService invocations, CurrentPrincipal caller, LineageConfig config) {
        this.invocations = invocations;
        this.caller = caller;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_INVOKE)
    @Parameter(name = CallerHeaders.USER_ID, in = ParameterIn.HEADER, required = true, description = LINEAGE,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.USER_EMAIL, in = ParameterIn.HEADER, required = true, description = LINEAGE,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.SYSTEM, in = ParameterIn.HEADER, required = true, description = LINEAGE,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.SESSION_ID, in = ParameterIn.HEADER, required = true, description = LINEAGE,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.USER_NAME, in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.TRACE_ID, in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = CallerHeaders.CONTEXT, in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The agent's answer",
            content = @Content(schema = @Schema(implementation = InvokeResponse.class)))
    @APIResponse(responseCode = "402", description = "A budget would be exceeded",
            content = @Content(schema = @Schema(implementation = InvokeProblems.BudgetExceeded.class)))
    @APIResponse(responseCode = "403", description = "A policy denies the call, or the caller may not invoke",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Forbidden.class)))
    @APIResponse(responseCode = "409", description = "The agent is not active, or its platform cannot be invoked yet")
    @APIResponse(responseCode = "429", description = "A rate limit is reached",
            content = @Content(schema = @Schema(implementation = InvokeProblems.RateLimited.class)))
    @APIResponse(responseCode = "502", description = "The agent failed",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Upstream.class)))
    @APIResponse(responseCode = "503", description = "Governance or the registry is unavailable; retry later",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Unavailable.class)))
    @APIResponse(responseCode = "504", description = "The agent did not answer in time",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Upstream.class)))
    public Uni<RestResponse<InvokeResponse>> invoke(@PathParam("id") String agentId,
            @NotNull(message = "request body is required") @Valid InvokeRequest request, HttpServerRequest http) {
        AgentIds.require(agentId);
        CallerContext context = CallerHeaders.read(http, caller.get(), config.strict());
        return invocations.invoke(agentId, request, context).map(outcome -> {
            var invocation = outcome.invocation();
            var body = new InvokeResponse(invocation.id, invocation.traceId, invocation.status, outcome.reply().output(),
                    new InvokeResponse.Metadata(invocation.durationMs, invocation.costUsd, false,
                            tokensUsed(invocation)));
            var response = RestResponse.ResponseBuilder.ok(body)
                    .header("X-Kaizen-Invocation-ID", invocation.id)
                    .header("X-Kaizen-Trace-ID", invocation.traceId)
                    .header("X-Kaizen-Cost-USD", invocation.costUsd == null ? "0" : invocation.costUsd.toPlainString())
                    .header("X-Kaizen-Duration-MS", invocation.durationMs);
            var rate = outcome.decision().rateLimit();
            if (rate != null) {
                response.header("X-RateLimit-Limit", rate.limit())
                        .header("X-RateLimit-Remaining", rate.remaining())
                        .header("X-RateLimit-Reset", rate.resetAt().toString());
            }
            return response.build();
        });
    }

    private static Long tokensUsed(Invocation invocation) {
        if (invocation.inputTokens == null && invocation.outputTokens == null) {
            return null;
        }
        return (invocation.inputTokens == null ? 0 : invocation.inputTokens)
                + (invocation.outputTokens == null ? 0 : invocation.outputTokens);
    }
}
