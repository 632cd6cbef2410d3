package io.kaizen.gateway.rest;

import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.config.LineageConfig;
import io.kaizen.gateway.service.CallerContext;
import io.kaizen.gateway.service.InvocationService;
import io.kaizen.gateway.service.LineageHeaders;
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
    public Uni<RestResponse<InvokeResponse>> invoke(@PathParam("id") String agentId,
            @NotNull(message = "request body is required") @Valid InvokeRequest request, HttpServerRequest http) {
        AgentIds.require(agentId);
        LineageHeaders lineage = LineageHeaders.from(http::getHeader, config.strict());
        CallerContext context = new CallerContext(caller.get(), lineage, CallerHeaders.clientIp(http),
                CallerHeaders.userAgent(http), null);
        return invocations.invoke(agentId, request, context).map(outcome -> {
            var invocation = outcome.invocation();
            var body = new InvokeResponse(invocation.id, invocation.traceId, invocation.status, outcome.reply().output(),
                    new InvokeResponse.Metadata(invocation.durationMs, invocation.costUsd, false));
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
}
