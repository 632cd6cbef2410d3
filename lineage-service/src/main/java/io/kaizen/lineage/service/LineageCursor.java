package io.kaizen.lineage.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

import io.kaizen.lineage.domain.LineageRecord;

/**
 * Where a keyset page of lineage ends: the last row's request time and invocation id, the order of every list and
 * export (newest first). Opaque to callers: base64url of {@code <request_timestamp>|<invocation_id>}.
 */
public record LineageCursor(Instant requestTimestamp, String invocationId) {

    public static LineageCursor after(LineageRecord row) {
        return new LineageCursor(row.requestTimestamp, row.invocationId);
    }

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((requestTimestamp + "|" + invocationId).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this service wrote */
    public static LineageCursor parse(String text) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64url", e);
        }
        int bar = decoded.indexOf('|');
        if (bar < 1 || bar == decoded.length() - 1) {
            throw new IllegalArgumentException("no time and id");
        }
        try {
            return new LineageCursor(Instant.parse(decoded.substring(0, bar)), decoded.substring(bar + 1));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("no time", e);
        }
    }
}
