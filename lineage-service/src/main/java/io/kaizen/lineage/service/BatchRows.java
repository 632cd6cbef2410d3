package io.kaizen.lineage.service;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The rows a batch writes, as one statement parameter however many there are: a JSON array of objects, sent to
 * PostgreSQL as UTF-8 bytes and read there with {@code json_to_recordset}.
 * <p>
 * Bytes, not text: the PostgreSQL client writes a text parameter to the wire one character at a time, and a batch
 * whose text holds one character beyond Latin-1 is a UTF-16 string throughout; that encoding was 11 % of
 * lineage-service's CPU while it ingested invocation events (JFR). The JDK's encoder does the same work in bulk, and
 * replaces an unpaired surrogate with {@code ?} as the client did, so what is stored does not change.
 */
final class BatchRows {

    /** The rows of the parameter {@code :rows} as a set of records; the statement follows it with {@code as r(…)}. */
    static final String RECORDS = "json_to_recordset(cast(convert_from(:rows, 'UTF8') as json))";

    private BatchRows() {
    }

    /** The value of {@code :rows}: {@code rows}, a list of maps by column name, as JSON in UTF-8. */
    static byte[] utf8(ObjectMapper mapper, Object rows) {
        return json(mapper, rows).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A statement parameter or column value as JSON text: rows, lists of ids, maps of strings, which are always
     * writable; null stays null.
     */
    static String json(ObjectMapper mapper, Object value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lists, maps, strings and numbers are writable", e);
        }
    }
}
