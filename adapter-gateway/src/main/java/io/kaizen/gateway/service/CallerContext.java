package io.kaizen.gateway.service;

import java.util.Map;

import io.kaizen.common.security.KaizenPrincipal;

/**
 * Who called and from where (lineage layers 1–3 and request context). {@code headers} are the inbound request headers
 * without credentials ({@code CredentialHeaders}), as lineage keeps them; null when there were none to keep.
 */
public record CallerContext(KaizenPrincipal principal, LineageHeaders lineage, String ipAddress, String userAgent,
        String country, Map<String, String> headers) {
}
