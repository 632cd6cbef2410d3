package io.kaizen.gateway.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.kaizen.common.events.CredentialHeaders;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.gateway.service.CallerContext;
import io.kaizen.gateway.service.LineageHeaders;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who calls an invoke and from where, read from its headers in one place and bounded at the edge to what lineage
 * can store (limits in docs/architecture.md, "Limits at the edge"): an identifier too long for its column is
 * refused, a longer User-Agent is cut and marked, a client address that is not an IP address is refused.
 */
final class CallerHeaders {

    static final String USER_ID = "X-External-User-ID";
    static final String USER_EMAIL = "X-External-User-Email";
    static final String USER_NAME = "X-External-User-Name";
    static final String SYSTEM = "X-External-System";
    static final String SESSION_ID = "X-External-Session-ID";
    static final String TRACE_ID = "X-External-Trace-ID";
    static final String CONTEXT = "X-External-Context";

    /** Lineage keeps each X-External-* identifier in a varchar(255). */
    static final int MAX_IDENTIFIER = 255;
    /** Lineage keeps the context as text; this keeps one row's share of it reasonable. */
    static final int MAX_CONTEXT = 4096;
    /** Lineage keeps the user agent in a varchar(1024). */
    static final int MAX_USER_AGENT = 1024;
    /** The end of a User-Agent that was cut to {@link #MAX_USER_AGENT} characters. */
    static final String TRUNCATED = "...[truncated]";
    /** Lineage keeps the client address in a varchar(64). */
    static final int MAX_ADDRESS = 64;

    private CallerHeaders() {
    }

    /** The caller of this request; with {@code strict}, the four required lineage headers must be present. */
    static CallerContext read(HttpServerRequest http, KaizenPrincipal principal, boolean strict) {
        return new CallerContext(principal, lineage(http, strict), clientIp(http), userAgent(http), null,
                headers(http));
    }

    /**
     * The request headers lineage keeps: every one but credentials (Authorization, cookies, API keys, anything named
     * like a token or secret), bounded ({@link CredentialHeaders}); a repeated header's values joined by a comma.
     */
    private static Map<String, String> headers(HttpServerRequest http) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : http.headers()) {
            if (header.getKey() != null && !CredentialHeaders.isCredential(header.getKey().toLowerCase(Locale.ROOT))) {
                all.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(),
                        (first, next) -> first + ", " + next);
            }
        }
        return CredentialHeaders.strip(all);
    }

    private static LineageHeaders lineage(HttpServerRequest http, boolean strict) {
        List<String> missing = new ArrayList<>();
        String userId = identifier(http, USER_ID, MAX_IDENTIFIER, strict, missing);
        String email = identifier(http, USER_EMAIL, MAX_IDENTIFIER, strict, missing);
        String system = identifier(http, SYSTEM, MAX_IDENTIFIER, strict, missing);
        String session = identifier(http, SESSION_ID, MAX_IDENTIFIER, strict, missing);
        if (!missing.isEmpty()) {
            throw ProblemException.validation("Missing required lineage header(s): " + String.join(", ", missing))
                    .with("missing_headers", missing);
        }
        if (email != null && !email.matches("[^@\\s]+@[^@\\s]+")) {
            throw ProblemException.validation("Header " + USER_EMAIL + " is not an e-mail address");
        }
        return new LineageHeaders(userId, email, identifier(http, USER_NAME, MAX_IDENTIFIER, false, missing), system,
                session, identifier(http, TRACE_ID, MAX_IDENTIFIER, false, missing),
                identifier(http, CONTEXT, MAX_CONTEXT, false, missing));
    }

    private static String identifier(HttpServerRequest http, String name, int maxLength, boolean required,
            List<String> missing) {
        String value = http.getHeader(name);
        if (value == null || value.isBlank()) {
            if (required) {
                missing.add(name);
            }
            return null;
        }
        if (value.length() > maxLength) {
            throw ProblemException.validation("Header " + name + " is longer than " + maxLength + " characters");
        }
        return value.strip();
    }

    private static String userAgent(HttpServerRequest http) {
        String userAgent = http.getHeader("User-Agent");
        if (userAgent == null || userAgent.length() <= MAX_USER_AGENT) {
            return userAgent;
        }
        return userAgent.substring(0, MAX_USER_AGENT - TRUNCATED.length()) + TRUNCATED;
    }

    /** The client address: the first X-Forwarded-For hop set by the ingress, else the peer. */
    private static String clientIp(HttpServerRequest http) {
        String forwarded = http.getHeader("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        }
        String first = forwarded.split(",", 2)[0].strip();
        // the length matters too: an IPv6 address may carry a zone id of any length ("fe80::1%eth0")
        if (first.length() > MAX_ADDRESS || !(NetUtil.isValidIpV4Address(first) || NetUtil.isValidIpV6Address(first))) {
            throw ProblemException.validation("Header X-Forwarded-For must start with an IP address");
        }
        return first;
    }
}
