package io.kaizen.gateway.rest;

import io.kaizen.common.problem.ProblemException;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where an invoke comes from, read from its headers and bounded at the edge to what lineage can store (limits in
 * docs/architecture.md, "Limits at the edge"): a longer User-Agent is cut and marked, a client address that is not
 * an IP address is refused.
 */
final class CallerHeaders {

    /** Lineage keeps the user agent in a varchar(1024). */
    static final int MAX_USER_AGENT = 1024;
    /** The end of a User-Agent that was cut to {@link #MAX_USER_AGENT} characters. */
    static final String TRUNCATED = "...[truncated]";
    /** Lineage keeps the client address in a varchar(64). */
    static final int MAX_ADDRESS = 64;

    private CallerHeaders() {
    }

    static String userAgent(HttpServerRequest http) {
        String userAgent = http.getHeader("User-Agent");
        if (userAgent == null || userAgent.length() <= MAX_USER_AGENT) {
            return userAgent;
        }
        return userAgent.substring(0, MAX_USER_AGENT - TRUNCATED.length()) + TRUNCATED;
    }

    /** The client address: the first X-Forwarded-For hop set by the ingress, else the peer. */
    static String clientIp(HttpServerRequest http) {
        String forwarded = http.getHeader("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        }
        String first = forwarded.split(",", 2)[0].strip();
        if (first.length() > MAX_ADDRESS || !(NetUtil.isValidIpV4Address(first) || NetUtil.isValidIpV6Address(first))) {
            throw ProblemException.validation("Header X-Forwarded-For must start with an IP address");
        }
        return first;
    }
}
