package io.kaizen.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Native queries of the suite name as their result class only {@code Object}, {@code Object[]} or an entity.
 * <p>
 * Hibernate keeps one plan per native query, keyed on its SQL and its result mapping. A basic class such as
 * {@code String.class}, {@code Long.class} or {@code Instant.class} (or any other non-entity class) gives the mapping a
 * builder that equals only itself, so every run of the query misses the cache and adds one more plan under the same
 * hash: the cache fills to its 2,048 plans, pushing out the HQL plans, and each lookup of that query walks all of them.
 * Measured before this rule: 5 to 10 % of the gateway's, governance's and lineage's CPU under invoke load went to
 * those lookups. {@code Object.class} maps to a plan that is found again.
 */
class NativeQueryResultTypesTest {

    private static final Pattern CALL = Pattern.compile("createNativeQuery\\(");
    private static final Pattern RESULT_CLASS = Pattern.compile(",\\s*([A-Za-z_][A-Za-z0-9_.]*(?:\\[])?)\\.class\\s*$");
    private static final Pattern ENTITY = Pattern.compile("@Entity\\b[^{]*?\\bclass\\s+([A-Za-z0-9_]+)", Pattern.DOTALL);
    private static final Set<String> ALWAYS_CACHED = Set.of("Object", "Object[]");

    @Test
    void everyNativeQueryOfTheSuiteNamesAResultClassWhosePlanIsCached() {
        List<Path> sources = mainSources(Path.of("..").toAbsolutePath().normalize());
        assertThat(sources).as("the suite's sources, read from the repository").hasSizeGreaterThan(100);
        Set<String> entities = sources.stream().flatMap(file -> matches(ENTITY, read(file)).stream())
                .collect(Collectors.toSet());
        assertThat(entities).as("entities found").contains("OutboxEvent");

        List<String> offending = new ArrayList<>();
        for (Path file : sources) {
            for (String resultClass : resultClasses(read(file))) {
                if (!ALWAYS_CACHED.contains(resultClass) && !entities.contains(resultClass)) {
                    offending.add(file.getFileName() + ": " + resultClass + ".class");
                }
            }
        }
        assertThat(offending).as("native queries with a result class Hibernate cannot find its plan for again")
                .isEmpty();
    }

    @Test
    void theCheckReadsResultClassesFromCallsOverSeveralLines() {
        String source = """
                session.createNativeQuery("select a from t"
                        + " where b = :b", String.class).setParameter("b", f(x, y));
                session.createNativeQuery(SQL, Object[].class);
                session.createNativeQuery(NOTIFY).getSingleResult();
                session.createNativeQuery(call(a, b), Instant.class);
                """;
        assertThat(resultClasses(source)).containsExactly("String", "Object[]", "Instant");
    }

    /** The result class of each {@code createNativeQuery(...)} call that names one, as written. */
    static List<String> resultClasses(String source) {
        List<String> found = new ArrayList<>();
        Matcher call = CALL.matcher(source);
        while (call.find()) {
            String arguments = arguments(source, call.end());
            Matcher resultClass = RESULT_CLASS.matcher(arguments);
            if (resultClass.find()) {
                String name = resultClass.group(1);
                found.add(name.substring(name.lastIndexOf('.', name.endsWith("[]") ? name.length() - 3 : name.length())
                        + 1));
            }
        }
        return found;
    }

    /** The text between an opening parenthesis (just before {@code from}) and its closing one, strings skipped. */
    private static String arguments(String source, int from) {
        int depth = 1;
        boolean quoted = false;
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '"' && source.charAt(i - 1) != '\\') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return source.substring(from, i);
            }
        }
        throw new IllegalStateException("unbalanced createNativeQuery call");
    }

    private static List<String> matches(Pattern pattern, String source) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(source);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static List<Path> mainSources(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> file.toString().contains("/src/main/java/"))
                    .filter(file -> !file.toString().contains("/target/") && !file.toString().contains("/.kaizen/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
