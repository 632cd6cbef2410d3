package io.kaizen.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.kaizen.common.problem.ProblemException;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards {@code /internal/**}: only callers presenting the shared service token get through. The ingress never
 * routes these paths; this is the second line. It reads the path the way routing matches it (normalised, empty
 * segments and matrix parameters ignored), so no other spelling of an internal path gets past it; the
 * {@link CanonicalPathGuard} refuses such spellings before they get here.
 */
public class ServiceTokenFilter {

    public static final String HEADER = "X-Kaizen-Service-Token";

    private final byte[] token;

    ServiceTokenFilter(@ConfigProperty(name = "kaizen.internal.service-token") Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @ServerRequestFilter(preMatching = true)
    public void requireServiceToken(RoutingContext context) {
        if (!isInternal(context.normalizedPath())) {
            return;
        }
        String presented = context.request().getHeader(HEADER);
        if (token == null || presented == null
                || !MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw ProblemException.unauthorized("Internal endpoints need the service token");
        }
    }

    /** Whether the first non-empty segment of a path, matrix parameters aside, is {@code internal}. */
    static boolean isInternal(String path) {
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                int parameters = segment.indexOf(';');
                return (parameters < 0 ? segment : segment.substring(0, parameters)).equals("internal");
            }
        }
        return false;
    }
}
