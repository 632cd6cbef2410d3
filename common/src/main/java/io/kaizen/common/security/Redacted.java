package io.kaizen.common.security;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The {@code toString} of a record that carries secrets: the generated one, with the secret components masked, so a
 * record logged or quoted in an exception never shows a credential. A masked map keeps its keys (which secrets are
 * there is useful and not secret) and shows each value as {@value #MASK}; anything else masked is {@value #MASK};
 * null stays null.
 */
public final class Redacted {

    public static final String MASK = "***";

    private Redacted() {
    }

    /** {@code Name[a=1, secret=***]}, as a record's generated toString but with {@code secretComponents} masked. */
    public static String toString(Record record, String... secretComponents) {
        Set<String> secret = Set.of(secretComponents);
        StringJoiner text = new StringJoiner(", ", record.getClass().getSimpleName() + "[", "]");
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value = value(record, component);
            text.add(component.getName() + "=" + (secret.contains(component.getName()) ? masked(value) : value));
        }
        return text.toString();
    }

    private static Object masked(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, String> keys = new LinkedHashMap<>();
            map.keySet().forEach(key -> keys.put(key, MASK));
            return keys;
        }
        return value == null ? null : MASK;
    }

    private static Object value(Record record, RecordComponent component) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            return "?";
        }
    }
}
