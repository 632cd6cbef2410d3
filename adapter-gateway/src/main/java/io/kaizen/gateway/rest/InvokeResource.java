package io.kaizen.gateway.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.Cancellable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.problem.ProblemMapper;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.config.LineageConfig;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.service.CallerContext;
import io.kaizen.gateway.service.IdempotencyKeys;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/api/v1/external-agents/{id}/invoke")
// a caller hanging up does not cut an accepted call short: the agent is called and the outcome recorded and charged
@Cancellable(false)
public class InvokeResource {

    private static final String LINEAGE = "Lineage: required unless kaizen.lineage.strict=false";
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final InvocationService invocations;
    private final IdempotencyKeys keys;
    private final CurrentPrincipal caller;
    private final LineageConfig config;
    private final ObjectMapper mapper;
    private final EgressGuard egress;

    InvokeResource(InvocationService invocations, IdempotencyKeys keys, CurrentPrincipal caller, LineageConfig config,
            ObjectMapper mapper, EgressGuard egress) {
        this.invocations = invocations;
        this.keys = keys;
        this.caller = caller;
        this.config = config;
        this.mapper = mapper;
        this.egress = egress;
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
    @Parameter(name = "traceparent", in = ParameterIn.HEADER, description = "W3C trace context: the call continues the"
            + " caller's trace, whose id becomes its trace_id; without it the gateway starts a trace",
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "tracestate", in = ParameterIn.HEADER, description = "W3C trace state, kept with traceparent",
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The agent's answer",
            content = @Content(schema = @Schema(implementation = InvokeResponse.class)))
    @APIResponse(responseCode = "202", description = "Accepted (mode=async), or held for approval (status"
            + " pending_approval, with approval_request_id): the result is read at the Location",
            content = @Content(schema = @Schema(implementation = InvokeResponse.class)))
    @APIResponse(responseCode = "402", description = "A budget would be exceeded",
            content = @Content(schema = @Schema(implementation = InvokeProblems.BudgetExceeded.class)))
    @APIResponse(responseCode = "403", description = "A policy denies the call, or the caller may not invoke",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Forbidden.class)))
    @APIResponse(responseCode = "429", description = "A rate limit is reached",
            content = @Content(schema = @Schema(implementation = InvokeProblems.RateLimited.class)))
    @APIResponse(responseCode = "502", description = "The agent failed",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Upstream.class)))
    @APIResponse(responseCode = "503", description = "Governance or the registry is unavailable; retry later",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Unavailable.class)))
    @APIResponse(responseCode = "504", description = "The agent did not answer in time",
            content = @Content(schema = @Schema(implementation = InvokeProblems.Upstream.class)))
    @Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER, description = "Up to 255 visible ASCII characters;"
            + " a repeat within 24 hours gets the first answer (header Idempotent-Replayed: true), the same key with a"
            + " different request a 422, and a repeat while the first is in flight a 409",
            schema = @Schema(type = SchemaType.STRING, maxLength = 255))
    @APIResponse(responseCode = "409", description = "The agent is not active, its platform cannot be invoked, or a"
            + " request with this Idempotency-Key is still in flight")
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used for a different request")
    public Uni<Response> invoke(@PathParam("id") String agentId,
            @Parameter(description = "sync (default): answer with the agent's reply; async: answer 202 once the call is"
                    + " accepted, and read the result at GET /api/v1/invocations/{invocation_id}",
                    schema = @Schema(enumeration = {"sync", "async"})) @QueryParam("mode") String mode,
            @NotNull(message = "request body is required") @Valid InvokeRequest request, HttpServerRequest http) {
        AgentIds.require(agentId);
        boolean async = async(mode);
        if (request != null && request.callbackUrl() != null) {
            try {
                egress.checkStatic(request.callbackUrl());
            } catch (EgressDeniedException e) {
                throw ProblemException.validation("Field 'callback_url' is not an allowed URL: " + e.getMessage());
            }
        }
        CallerContext context = CallerHeaders.read(http, caller.get(), config.strict());
        String key = http.getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return answer(agentId, request, context, async).map(RestResponse::toResponse);
        }
        String organizationId = context.principal().organizationId();
        IdempotencyKeys.validate(key);
        return keys.claim(organizationId, key, requestHash(agentId, async, request)).chain(stored -> {
            if (stored.isPresent()) {
                return Uni.createFrom().item(replay(stored.get()));
            }
            return answer(agentId, request, context, async).map(RestResponse::toResponse)
                    .onFailure(ProblemException.class).recoverWithItem(e -> problem((ProblemException) e, http))
                    .call(response -> keys.complete(organizationId, key, stored(response)))
                    .onFailure().call(e -> keys.complete(organizationId, key,
                            new IdempotencyKeys.Answer(500, Map.of(), "")));
        });
    }

    private Uni<RestResponse<InvokeResponse>> answer(String agentId, InvokeRequest request, CallerContext context,
            boolean async) {
        return invocations.invoke(agentId, request, context, async).map(outcome -> {
            var invocation = outcome.invocation();
            if (outcome.reply() == null) {
                return rateLimitHeaders(RestResponse.ResponseBuilder.create(RestResponse.Status.ACCEPTED,
                                new InvokeResponse(invocation.id, invocation.traceId, invocation.status, null, null,
                                        outcome.approvalRequestId()))
                        .header("X-Kaizen-Invocation-ID", invocation.id)
                        .header("X-Kaizen-Trace-ID", invocation.traceId)
                        .header("Location", "/api/v1/invocations/" + invocation.id), outcome).build();
            }
            var body = new InvokeResponse(invocation.id, invocation.traceId, invocation.status, outcome.reply().output(),
                    new InvokeResponse.Metadata(invocation.durationMs, invocation.costUsd, false,
                            tokensUsed(invocation)));
            var response = RestResponse.ResponseBuilder.ok(body)
                    .header("X-Kaizen-Invocation-ID", invocation.id)
                    .header("X-Kaizen-Trace-ID", invocation.traceId)
                    .header("X-Kaizen-Cost-USD", invocation.costUsd == null ? "0" : invocation.costUsd.toPlainString())
                    .header("X-Kaizen-Duration-MS", invocation.durationMs);
            return rateLimitHeaders(response, outcome).build();
        });
    }

    /** What makes a request the same request: the agent, the mode and the body. */
    private String requestHash(String agentId, boolean async, InvokeRequest request) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((agentId + "\n" + (async ? "async" : "sync") + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(mapper.writeValueAsBytes(request)));
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot digest the request", e);
        }
    }

    private Response problem(ProblemException e, HttpServerRequest http) {
        Response.ResponseBuilder response = Response.status(e.status()).type(ProblemMapper.PROBLEM_JSON)
                .entity(json(ProblemMapper.body(e.status(), e.errorCode(), e.getMessage(), e.fields(), http)));
        e.headers().forEach(response::header);
        return response.build();
    }

    private IdempotencyKeys.Answer stored(Response response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : IdempotencyKeys.REPEATED_HEADERS) {
            Object value = response.getHeaders().getFirst(name);
            if (value != null) {
                headers.put(name, String.valueOf(value));
            }
        }
        if (!headers.containsKey("Content-Type")) {
            headers.put("Content-Type", response.getMediaType() == null ? MediaType.APPLICATION_JSON
                    : response.getMediaType().toString());
        }
        Object entity = response.getEntity();
        return new IdempotencyKeys.Answer(response.getStatus(), headers,
                entity == null ? "" : entity instanceof String text ? text : json(entity));
    }

    private static Response replay(IdempotencyKeys.Answer answer) {
        Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body())
                .header("Idempotent-Replayed", "true");
        answer.headers().forEach(response::header);
        return response.build();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer is not serialisable", e);
        }
    }

    private static boolean async(String mode) {
        if (mode == null || mode.equals("sync")) {
            return false;
        }
        if (mode.equals("async")) {
            return true;
        }
        throw ProblemException.validation("Query parameter 'mode' must be sync or async");
    }

    private static <T> RestResponse.ResponseBuilder<T> rateLimitHeaders(RestResponse.ResponseBuilder<T> response,
            InvocationService.Outcome outcome) {
        var rate = outcome.decision().rateLimit();
        if (rate != null) {
            response.header("X-RateLimit-Limit", rate.limit())
                    .header("X-RateLimit-Remaining", rate.remaining())
                    .header("X-RateLimit-Reset", rate.resetAt().toString());
        }
        return response;
    }

    private static Long tokensUsed(Invocation invocation) {
        if (invocation.inputTokens == null && invocation.outputTokens == null) {
            return null;
        }
        return (invocation.inputTokens == null ? 0 : invocation.inputTokens)
                + (invocation.outputTokens == null ? 0 : invocation.outputTokens);
    }
}
