package io.kaizen.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The path → service table of {@code routes.txt}, shared by the devstack {@link Router} and the generated
 * Kubernetes ingress.
 */
public final class RouteTable {

    /** The service name of paths that exist but are never routed from outside ({@code /internal/**}). */
    public static final String NOT_ROUTED = "-";

    private static final String RESOURCE = "/routes.txt";
    private static final String WILDCARD_TAIL = "**";

    private final List<Route> routes;

    public RouteTable(List<Route> routes) {
        this.routes = routes.stream().sorted(Route.MOST_SPECIFIC_FIRST).toList();
    }

    /** The table of the {@code routes.txt} resource. */
    public static RouteTable load() {
        try (InputStream in = RouteTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the devstack jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RouteTable parse(List<String> lines) {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2 || !fields[0].startsWith("/")) {
                throw new IllegalArgumentException("routes.txt line " + (i + 1) + ": expected '<pattern> <service>', got: " + line);
            }
            routes.add(Route.of(fields[0], fields[1]));
        }
        return new RouteTable(routes);
    }

    /** The routes, most specific first. */
    public List<Route> routes() {
        return routes;
    }

    /** The most specific route matching a request path (without query string). */
    public Optional<Route> match(String path) {
        List<String> segments = segments(path);
        return routes.stream().filter(route -> route.matches(segments)).findFirst();
    }

    private static List<String> segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(trimmed.split("/", -1));
    }

    /**
     * One line of the table.
     *
     * @param pattern  e.g. {@code /api/v1/external-agents/{id}/invoke} or {@code /api/v1/policies/**}
     * @param service  the owning service's short name, or {@link #NOT_ROUTED}
     * @param segments the pattern's segments without a trailing {@code **}
     * @param subtree  whether the pattern ends in {@code /**}
     */
    public record Route(String pattern, String service, List<String> segments, boolean subtree) {

        static final Comparator<Route> MOST_SPECIFIC_FIRST = Comparator
                .comparingLong(Route::literalSegments).reversed()
                .thenComparing(Comparator.comparingInt((Route r) -> r.segments().size()).reversed())
                .thenComparing(Route::subtree);

        static Route of(String pattern, String service) {
            List<String> segments = new ArrayList<>(RouteTable.segments(pattern));
            boolean subtree = !segments.isEmpty() && segments.get(segments.size() - 1).equals(WILDCARD_TAIL);
            if (subtree) {
                segments.remove(segments.size() - 1);
            }
            for (String segment : segments) {
                if (segment.isEmpty() || segment.contains("*") || (segment.contains("{") && !isVariable(segment))) {
                    throw new IllegalArgumentException("bad route pattern " + pattern);
                }
            }
            return new Route(pattern, service, List.copyOf(segments), subtree);
        }

        public boolean routed() {
            return !NOT_ROUTED.equals(service);
        }

        long literalSegments() {
            return segments.stream().filter(s -> !isVariable(s)).count();
        }

        boolean matches(List<String> path) {
            if (subtree ? path.size() < segments.size() : path.size() != segments.size()) {
                return false;
            }
            for (int i = 0; i < segments.size(); i++) {
                String expected = segments.get(i);
                String actual = path.get(i);
                if (isVariable(expected) ? actual.isEmpty() : !expected.equals(actual)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isVariable(String segment) {
            return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
        }
    }
}
