package io.kaizen.common.problem;

import java.util.Map;
import java.util.Map.Entry;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Answers a request over the suite's size limits with a problem document, like every other refusal: a request target
 * (path and query) over {@code kaizen.http.max-request-target} characters with 414, a header block over
 * {@code kaizen.http.max-header-block} with 431, a body over {@code quarkus.http.limits.max-body-size} with 413.
 * <p>
 * Vert.x refuses a request line or header block over its own limits before any route runs, with a status and no
 * body; those limits ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are therefore set
 * well above the suite's (64 KiB, common's {@code microprofile-config.properties}), so that this filter is the one
 * that answers, and only a request beyond them still gets Vert.x's bare status. A body is refused on its declared
 * length here, and on its bytes by the body handler, whose 413 this describes.
 */
@ApplicationScoped
public class SizeLimitProblems {

    /** What an instance of a too long target keeps of its path: enough to recognise, not the whole input. */
    private static final int INSTANCE_KEPT = 256;

    private final int maxTarget;
    private final long maxHeaderBlock;
    private final long maxBody;

    SizeLimitProblems(@ConfigProperty(name = "kaizen.http.max-request-target", defaultValue = "4096") int maxTarget,
            @ConfigProperty(name = "kaizen.http.max-header-block", defaultValue = "20K") MemorySize maxHeaderBlock,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.maxTarget = maxTarget;
        this.maxHeaderBlock = maxHeaderBlock.asLongValue();
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::refuseOversize);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::describeOversizeBody);
    }

    private void refuseOversize(RoutingContext context) {
        HttpServerRequest request = context.request();
        int target = request.uri().length();
        if (target > maxTarget) {
            String path = request.path();
            respond(context, 414, "The request target (path and query) is " + target + " characters long; at most "
                    + maxTarget + " are read", path.length() <= INSTANCE_KEPT ? Map.of()
                            : Map.of("instance", path.substring(0, INSTANCE_KEPT)));
            return;
        }
        long headers = headerBlock(request);
        if (headers > maxHeaderBlock) {
            respond(context, 431, "The request headers take " + headers + " bytes; at most " + maxHeaderBlock
                    + " are read", Map.of());
        } else if (declaredBody(request) > maxBody) {
            respondBodyTooLarge(context);
        } else {
            context.next();
        }
    }

    /** Every header line as sent: name, colon and space, value, line end (a header's bytes are ISO-8859-1). */
    private static long headerBlock(HttpServerRequest request) {
        long size = 0;
        for (Entry<String, String> header : request.headers()) {
            size += header.getKey().length() + header.getValue().length() + 4;
        }
        return size;
    }

    private static long declaredBody(HttpServerRequest request) {
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            try {
                return Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                // a malformed length is the HTTP codec's to refuse
            }
        }
        return -1;
    }

    private void describeOversizeBody(RoutingContext context) {
        if (context.statusCode() == 413 && !context.response().ended()) {
            respondBodyTooLarge(context);
        } else {
            context.next();
        }
    }

    private void respondBodyTooLarge(RoutingContext context) {
        respond(context, 413, "Request body is larger than " + maxBody + " bytes", Map.of());
    }

    private static void respond(RoutingContext context, int status, String detail, Map<String, Object> fields) {
        Map<String, Object> body = ProblemMapper.body(status, ErrorCode.VALIDATION_ERROR, detail, fields,
                context.request());
        // the rest of an oversized request is not read: the connection cannot carry another one
        context.response().setStatusCode(status).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .putHeader("Connection", "close").end(Json.encode(body));
    }
}
