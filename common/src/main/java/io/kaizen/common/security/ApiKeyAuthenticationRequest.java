package io.kaizen.common.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An API key presented with a request, already reduced to its hash so the key itself goes no further. */
public class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String keyHash;

    public ApiKeyAuthenticationRequest(String keyHash) {
        this.keyHash = keyHash;
    }

    public String keyHash() {
        return keyHash;
    }
}
