package io.kaizen.common.problem;

import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Bodies over the limit ({@code quarkus.http.limits.max-body-size}, 1 MiB) are refused by the HTTP layer before
 * JAX-RS runs; this makes that refusal a 413 problem document like every other error.
 */
@ApplicationScoped
public class BodyLimitProblems {

    private final long limit;

    BodyLimitProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::refuseDeclaredOversize);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::describeOversize);
    }

    private void refuseDeclaredOversize(RoutingContext context) {
        String declared = context.request().getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > limit) {
                    respond(context);
                    return;
                }
            } catch (NumberFormatException e) {
                // a malformed length is the HTTP codec's to refuse
            }
        }
        context.next();
    }

    private void describeOversize(RoutingContext context) {
        if (context.statusCode() == 413 && !context.response().ended()) {
            respond(context);
        } else {
            context.next();
        }
    }

    private void respond(RoutingContext context) {
        Map<String, Object> body = ProblemMapper.body(413, ErrorCode.VALIDATION_ERROR,
                "Request body is larger than " + limit + " bytes", Map.of(), context.request());
        context.response().setStatusCode(413).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .putHeader("Connection", "close").end(Json.encode(body));
    }
}
