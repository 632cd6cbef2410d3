package io.kaizen.system;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The API reference ({@code docs/api-reference.md}) held to the OpenAPI documents the services serve. The reference
 * has one section per operation, headed {@code ### `METHOD /path/{param}`}, holding a line {@code Statuses: …}, a
 * {@code curl} command of that method on that path and the answer it got. {@link #mismatches} lists:
 * <ul>
 * <li>an operation of the documents without a section, and a section no document describes;</li>
 * <li>a section without a curl command of its method and path, or without an answer ({@code ```http} block);</li>
 * <li>a section whose statuses are not exactly those the document declares for the operation;</li>
 * <li>anywhere in the reference, a curl command or a {@code `METHOD /path`} naming an {@code /api/} or
 * {@code /internal/} operation that no document has.</li>
 * </ul>
 */
final class ApiReference {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern HEADING = Pattern.compile("^###\\s+`(GET|POST|PUT|PATCH|DELETE)\\s+(/\\S*)`\\s*$");
    private static final Pattern NAMED = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE)\\s+(/(?:api|internal)/[^`\\s?]*)[^`]*`");
    private static final Pattern STATUSES = Pattern.compile("Statuses:\\**\\s*([0-9][0-9 ,;]*[0-9])");
    private static final Pattern URL = Pattern.compile("(?:https?://[^/\\s\"']+|\\$\\{?[A-Z_]+}?)(/(?:api|internal)/[^\\s\"'?]*)");
    private static final Pattern EXPLICIT_METHOD = Pattern.compile("(?:-X|--request)\\s+([A-Z]+)");
    private static final Pattern SENDS_BODY = Pattern.compile("(?:^|\\s)(?:-d|--data(?:-raw|-binary|-urlencode)?|--json|-F|--form)(?:\\s|=|$)");

    /** One operation as a method and a path template ({@code /api/v1/things/{id}}). */
    record Operation(String method, String template) {
        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** One {@code curl} command: its method and the path of its URL. */
    record Curl(String method, String path, String text) {
    }

    private record Section(Operation operation, int line, List<String> lines) {
    }

    private final List<Section> sections = new ArrayList<>();
    private final List<Curl> curls = new ArrayList<>();
    private final List<Operation> named = new ArrayList<>();

    private ApiReference(String markdown) {
        List<String> lines = markdown.lines().toList();
        Section current = null;
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                inFence = !inFence;
            }
            if (!inFence && (line.startsWith("## ") || line.startsWith("### ") || line.startsWith("# "))) {
                Matcher heading = HEADING.matcher(line);
                current = null;
                if (heading.matches()) {
                    current = new Section(new Operation(heading.group(1), heading.group(2)), i + 1, new ArrayList<>());
                    sections.add(current);
                    continue;
                }
            }
            if (current != null) {
                current.lines().add(line);
            }
            Matcher mention = NAMED.matcher(line);
            while (mention.find()) {
                named.add(new Operation(mention.group(1), mention.group(2)));
            }
        }
        curls.addAll(curls(lines));
    }

    static ApiReference parse(String markdown) {
        return new ApiReference(markdown);
    }

    /** Every operation of the documents (service name → OpenAPI JSON), in document order. */
    static Map<Operation, Set<String>> operations(Map<String, String> documents) {
        Map<Operation, Set<String>> operations = new LinkedHashMap<>();
        for (String text : documents.values()) {
            JsonNode document;
            try {
                document = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not an OpenAPI JSON document", e);
            }
            Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> items = path.getValue().fields();
                while (items.hasNext()) {
                    Map.Entry<String, JsonNode> item = items.next();
                    String method = item.getKey().toUpperCase(Locale.ROOT);
                    if (METHODS.contains(method)) {
                        Set<String> statuses = new TreeSet<>();
                        item.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                        operations.put(new Operation(method, path.getKey()), statuses);
                    }
                }
            }
        }
        return operations;
    }

    /** What in the reference disagrees with the documents; empty when it covers them exactly. */
    List<String> mismatches(Map<String, String> documents) {
        Map<Operation, Set<String>> operations = operations(documents);
        List<String> mismatches = new ArrayList<>();
        Set<Operation> documented = new LinkedHashSet<>();
        for (Section section : sections) {
            Operation operation = section.operation();
            String where = "api-reference.md:" + section.line() + " " + operation;
            if (!documented.add(operation)) {
                mismatches.add(where + ": a second section for the same operation");
            }
            Set<String> declared = operations.get(operation);
            if (declared == null) {
                mismatches.add(where + ": no served document has this operation");
                continue;
            }
            List<Curl> own = curls(section.lines()).stream()
                    .filter(curl -> resolve(curl.method(), curl.path(), operations.keySet()).equals(operation))
                    .toList();
            if (own.isEmpty()) {
                mismatches.add(where + ": no curl example of " + operation.method() + " on this path");
            }
            if (section.lines().stream().noneMatch(line -> line.startsWith("```http"))) {
                mismatches.add(where + ": no answer (```http block) under the example");
            }
            Set<String> listed = statuses(section.lines());
            if (listed == null) {
                mismatches.add(where + ": no 'Statuses:' line");
            } else if (!listed.equals(declared)) {
                mismatches.add(where + ": statuses " + listed + " but the document declares " + declared);
            }
        }
        for (Operation operation : operations.keySet()) {
            if (!documented.contains(operation)) {
                mismatches.add(operation + ": served but has no section with a curl example in api-reference.md");
            }
        }
        for (Curl curl : curls) {
            if (resolve(curl.method(), curl.path(), operations.keySet()) == NONE) {
                mismatches.add("curl " + curl.method() + " " + curl.path() + ": no served document has this operation ("
                        + curl.text().strip() + ")");
            }
        }
        for (Operation mention : named) {
            if (operations.keySet().stream().noneMatch(o -> o.method().equals(mention.method())
                    && (o.template().equals(mention.template()) || instance(o.template(), mention.template())))) {
                mismatches.add("`" + mention + "`: named in api-reference.md but no served document has it");
            }
        }
        return mismatches;
    }

    /** The curl commands of the bash blocks, continuation lines joined. */
    private static List<Curl> curls(List<String> lines) {
        List<Curl> found = new ArrayList<>();
        boolean inBash = false;
        StringBuilder command = null;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inBash = !inBash && (line.startsWith("```bash") || line.startsWith("```sh"));
                command = null;
                continue;
            }
            if (!inBash) {
                continue;
            }
            if (command == null) {
                if (!line.contains("curl ")) {
                    continue;
                }
                command = new StringBuilder();
            }
            String stripped = line.strip();
            boolean continued = stripped.endsWith("\\");
            command.append(' ').append(continued ? stripped.substring(0, stripped.length() - 1) : stripped);
            if (!continued) {
                found.addAll(parseCurls(command.toString()));
                command = null;
            }
        }
        return found;
    }

    /** The curl invocations of one shell command line (there may be several, as in {@code $(curl …)}). */
    private static List<Curl> parseCurls(String commandLine) {
        List<Curl> found = new ArrayList<>();
        String[] parts = commandLine.split("(?<![\\w-])curl\\s");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            // the curl's own arguments: a pipe ends them (`| jq …`, `| cut -d …`)
            int pipe = part.indexOf(" | ");
            String args = pipe >= 0 ? part.substring(0, pipe) : part;
            Matcher url = URL.matcher(args);
            if (!url.find()) {
                continue;
            }
            Matcher explicit = EXPLICIT_METHOD.matcher(args);
            String method = explicit.find() ? explicit.group(1)
                    : SENDS_BODY.matcher(args).find() ? "POST" : "GET";
            found.add(new Curl(method, url.group(1), "curl " + args));
        }
        return found;
    }

    private static final Operation NONE = new Operation("", "");

    /**
     * The operation a request of an example is routed to: of the templates it is an instance of, the one with the
     * most literal segments ({@code /policies/settings} rather than {@code /policies/{id}}), as JAX-RS routes it.
     */
    static Operation resolve(String method, String path, Set<Operation> operations) {
        Operation best = NONE;
        int bestLiterals = -1;
        for (Operation operation : operations) {
            if (operation.method().equals(method) && instance(operation.template(), path)) {
                int literals = (int) Arrays.stream(trim(operation.template()).split("/"))
                        .filter(segment -> !segment.startsWith("{")).count();
                if (literals > bestLiterals) {
                    best = operation;
                    bestLiterals = literals;
                }
            }
        }
        return best;
    }

    private static Set<String> statuses(List<String> lines) {
        for (String line : lines) {
            Matcher matcher = STATUSES.matcher(line);
            if (matcher.find()) {
                Set<String> statuses = new TreeSet<>();
                for (String status : matcher.group(1).split("[ ,;]+")) {
                    statuses.add(status);
                }
                return statuses;
            }
        }
        return null;
    }

    /**
     * Whether a concrete path of an example ({@code /api/v1/things/$THING}, {@code /api/v1/things/agt_1}) is an
     * instance of a template: the same number of segments, each literal equal, each variable any non-empty text.
     * A segment of the example that is a shell variable only matches a variable of the template.
     */
    static boolean instance(String template, String path) {
        String[] expected = trim(template).split("/", -1);
        String[] actual = trim(path).split("/", -1);
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean variable = expected[i].startsWith("{") && expected[i].endsWith("}");
            boolean placeholder = actual[i].contains("$") || actual[i].startsWith("{");
            if (variable ? actual[i].isEmpty() : placeholder || !expected[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    private static String trim(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
