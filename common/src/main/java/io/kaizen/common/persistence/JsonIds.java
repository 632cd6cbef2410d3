package io.kaizen.common.persistence;

import java.util.Collection;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * A batch's ids as one statement parameter: a JSON array, read in PostgreSQL with {@code json_array_elements_text}
 * (docs/developer-guide.md, "A batch's ids in one parameter"). A list parameter is expanded into one bind parameter
 * per id, so each batch size is another statement: Hibernate translates an HQL query again for it, the client's
 * statement cache (256 per connection) fills with copies of one statement that push the others out, and Hibernate
 * tells a list from a single value by trying to convert it, which throws and catches an exception on every run.
 */
public final class JsonIds {

    private JsonIds() {
    }

    /**
     * The ids of the parameter {@code :parameter} (its value {@link #json}) as a subquery, for
     * {@code column in …}.
     */
    public static String in(String parameter) {
        return "(select " + rows(parameter) + ")";
    }

    /**
     * The ids of the parameter {@code :parameter} as a set of text rows, for a {@code from} clause. Its value is typed
     * text first: the PostgreSQL client would send a string bound to json as a JSON string.
     */
    public static String rows(String parameter) {
        return "json_array_elements_text(cast(cast(:" + parameter + " as text) as json))";
    }

    /** The value of an {@link #in} parameter: the ids as a JSON array of strings (a null id as {@code null}). */
    public static String json(Collection<String> ids) {
        StringBuilder out = new StringBuilder(2 + ids.size() * 32).append('[');
        for (String id : ids) {
            if (out.length() > 1) {
                out.append(',');
            }
            if (id == null) {
                out.append("null");
            } else {
                out.append('"');
                JsonStringEncoder.getInstance().quoteAsString(id, out);
                out.append('"');
            }
        }
        return out.append(']').toString();
    }
}
