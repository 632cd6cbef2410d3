package io.kaizen.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.kaizen.common.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Guards {@code /internal/**}: only callers presenting the shared service token get through. The ingress never
 * routes these paths; this is the second line.
 */
public class ServiceTokenFilter {

    public static final String HEADER = "X-Kaizen-Service-Token";

    private final byte[] token;

    ServiceTokenFilter(@ConfigProperty(name = "kaizen.internal.service-token") Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @ServerRequestFilter(preMatching = true)
    public void requireServiceToken(HttpServerRequest request) {
        if (!request.path().startsWith("/internal/")) {
            return;
        }
        String presented = request.getHeader(HEADER);
        if (token == null || presented == null
                || !MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw ProblemException.unauthorized("Internal endpoints need the service token");
        }
    }
}
