package io.kaizen.common.security;

import java.util.Map;
import java.util.regex.Pattern;

import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemMapper;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses (400) a request whose path is not written the way routing reads it. Routing matches the normalised path
 * (dot segments removed, encoded unreserved characters decoded), so {@code /./internal/…} or {@code /%69nternal/…}
 * would reach an internal resource while a check on the raw path saw something else. Requiring the raw path to be
 * its own normal form (so no dot segments, no empty segments, no needless escapes), and free of the encoded
 * separators that normalisation leaves alone, means every filter and the router read the same path. A path or query
 * holding an encoded control character ({@code %00}-{@code %1F}, {@code %7F}) is refused too: no identifier or filter
 * value has one, PostgreSQL refuses a NUL in text, and a line break would forge log lines. Runs before every other
 * route of the service but the size limits.
 */
@ApplicationScoped
public class CanonicalPathGuard {

    // separators that normalisation leaves encoded but a decoding step further on could turn into segments
    private static final Pattern HIDDEN_SEPARATOR = Pattern.compile("%2[fF]|%5[cC]|\\\\");
    private static final Pattern CONTROL = Pattern.compile("%[01][0-9a-fA-F]|%7[fF]");

    void install(@Observes Router router) {
        // right after the size limits (problem.SizeLimitProblems), which read no more than the lengths
        router.route().order(Integer.MIN_VALUE + 1).handler(this::refuseNonCanonical);
    }

    private void refuseNonCanonical(RoutingContext context) {
        if (!isCanonical(context)) {
            respond(context, "The request path is not in canonical form (dot or empty segments, encoded "
                    + "separators, or escaped characters that need no escaping)");
        } else if (CONTROL.matcher(context.request().uri()).find()) { // the raw target: path and query
            respond(context, "The request path or query holds an encoded control character");
        } else {
            context.next();
        }
    }

    private static void respond(RoutingContext context, String detail) {
        Map<String, Object> body = ProblemMapper.body(400, ErrorCode.VALIDATION_ERROR, detail, Map.of(),
                context.request());
        context.response().setStatusCode(400).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .end(Json.encode(body));
    }

    private static boolean isCanonical(RoutingContext context) {
        String raw = context.request().path();
        try {
            return raw != null && raw.equals(context.normalizedPath()) && !HIDDEN_SEPARATOR.matcher(raw).find();
        } catch (IllegalArgumentException e) {
            return false; // a broken percent escape
        }
    }
}
