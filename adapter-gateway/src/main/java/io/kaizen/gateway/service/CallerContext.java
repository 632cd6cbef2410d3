package io.kaizen.gateway.service;

import io.kaizen.common.security.KaizenPrincipal;

/** Who called and from where (lineage layers 1–3 and request context). */
public record CallerContext(KaizenPrincipal principal, LineageHeaders lineage, String ipAddress, String userAgent,
        String country) {
}
