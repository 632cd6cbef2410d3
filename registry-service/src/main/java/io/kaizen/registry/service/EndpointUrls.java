package io.kaizen.registry.service;

import java.net.URI;
import java.net.URISyntaxException;

import io.kaizen.common.problem.ProblemException;

/** Registration-time checks of URLs agents are called at; the gateway's egress guard checks again on every call. */
final class EndpointUrls {

    private EndpointUrls() {
    }

    static void requireValid(String field, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.validation("Field '" + field + "' is not a valid URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw ProblemException.validation("Field '" + field + "' must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ProblemException.validation("Field '" + field + "' has no host");
        }
    }
}
