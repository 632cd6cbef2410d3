package io.kaizen.governance.policy;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.policy.Condition.Attribute.Op;

/**
 * Turns the JSON of a policy into its compiled form, refusing anything that could not be evaluated with a 400
 * naming the exact field ({@code conditions[2].timezone}). Pure: no Quarkus, no I/O.
 */
public final class PolicyValidator {

    public static final Set<String> ENVIRONMENTS = Set.of("production", "staging", "development");
    /** {@link #ENVIRONMENTS} as a regular expression for the documents. */
    public static final String ENVIRONMENT_PATTERN = "^(development|production|staging)$";
    public static final Set<String> PLATFORMS = Set.of("teams", "discord", "slack", "telegram", "notion", "custom_http");
    /** {@link #PLATFORMS} as a regular expression for the documents. */
    public static final String PLATFORM_PATTERN = "^(custom_http|discord|notion|slack|teams|telegram)$";
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    /** A time of day, HH:MM, as time windows take it (also the documents' pattern, anchored). */
    public static final String HH_MM = "([01]\\d|2[0-3]):[0-5]\\d";
    private static final int MAX_CONDITIONS = 50;
    private static final int MAX_VALUES = 500;

    /** Each condition type and its fields (besides {@code type} and {@code negate}). */
    public static final Map<String, Set<String>> FIELDS = Map.of(
            "time_window", Set.of("days", "start_time", "end_time", "timezone"),
            "date_range", Set.of("start", "end"),
            "environment", Set.of("environments"),
            "platform", Set.of("platforms"),
            "agent_tags", Set.of("tags"),
            "ip", Set.of("cidrs"),
            "country", Set.of("countries"),
            "role", Set.of("roles"),
            "team", Set.of("teams"),
            "attribute", Set.of("attribute", "op", "value"));

    private PolicyValidator() {
    }

    public static Effect effect(String value, String field) {
        if (value == null) {
            throw invalid(field, field + " is required (allow or deny)");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> throw invalid(field, field + " must be allow or deny");
        };
    }

    public static CombiningStrategy strategy(String value, String field) {
        try {
            return CombiningStrategy.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid(field, field + " must be one of DENY_OVERRIDES, ALLOW_OVERRIDES, FIRST_APPLICABLE");
        }
    }

    /** {@code all} (the default) or {@code any}. */
    public static boolean matchAll(String value, String field) {
        if (value == null || value.equalsIgnoreCase("all")) {
            return true;
        }
        if (value.equalsIgnoreCase("any")) {
            return false;
        }
        throw invalid(field, field + " must be all or any");
    }

    public static Policy.Target target(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Policy.Target.ALL;
        }
        if (!node.isObject()) {
            throw invalid(field, field + " must be an object with agent_ids, platforms and tags");
        }
        onlyFields(node, field, Set.of("agent_ids", "platforms", "tags"), "target");
        Set<String> agents = strings(node.get("agent_ids"), field + ".agent_ids", true, Function.identity());
        Set<String> platforms = strings(node.get("platforms"), field + ".platforms", true, v -> v.toLowerCase(Locale.ROOT));
        for (String platform : platforms) {
            if (!PLATFORMS.contains(platform)) {
                throw invalid(field + ".platforms", field + ".platforms: '" + platform + "' is not a platform ("
                        + String.join(", ", PLATFORMS.stream().sorted().toList()) + ")");
            }
        }
        Set<String> tags = strings(node.get("tags"), field + ".tags", true, Function.identity());
        return new Policy.Target(agents, platforms, tags);
    }

    public static List<Condition> conditions(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid(field, field + " must be an array of conditions");
        }
        if (node.size() > MAX_CONDITIONS) {
            throw invalid(field, field + " may hold at most " + MAX_CONDITIONS + " conditions");
        }
        List<Condition> conditions = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            conditions.add(condition(node.get(i), field + "[" + i + "]"));
        }
        return conditions;
    }

    public static Condition condition(JsonNode node, String field) {
        if (!node.isObject()) {
            throw invalid(field, field + " must be an object");
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw invalid(field + ".type", field + ".type is required");
        }
        String type = typeNode.asText();
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) {
            throw invalid(field + ".type", field + ".type '" + type + "' is not a condition type ("
                    + String.join(", ", FIELDS.keySet().stream().sorted().toList()) + ")");
        }
        Set<String> withCommon = new LinkedHashSet<>(allowed);
        withCommon.add("type");
        withCommon.add("negate");
        onlyFields(node, field, withCommon, type);
        boolean negate = bool(node.get("negate"), field + ".negate");
        return switch (type) {
            case "time_window" -> timeWindow(node, field, negate);
            case "date_range" -> dateRange(node, field, negate);
            case "environment" -> oneOf(node, field, "environments", type, negate, ENVIRONMENTS,
                    c -> single(c.environment()));
            case "platform" -> oneOf(node, field, "platforms", type, negate, PLATFORMS, c -> single(c.platform()));
            case "agent_tags" -> oneOf(node, field, "tags", type, negate, null, PolicyContext::tags);
            case "country" -> country(node, field, negate);
            case "role" -> oneOf(node, field, "roles", type, negate, null, PolicyContext::roles);
            case "team" -> oneOf(node, field, "teams", type, negate, null, c -> single(c.teamId()));
            case "ip" -> ip(node, field, negate);
            default -> attribute(node, field, negate);
        };
    }

    private static Condition timeWindow(JsonNode node, String field, boolean negate) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String day : strings(node.get("days"), field + ".days", true, v -> v.toLowerCase(Locale.ROOT))) {
            days.add(day(day, field + ".days"));
        }
        LocalTime start = time(node.get("start_time"), field + ".start_time");
        LocalTime end = time(node.get("end_time"), field + ".end_time");
        if (start.equals(end)) {
            throw invalid(field + ".end_time", field + ".end_time must differ from start_time");
        }
        JsonNode zone = node.get("timezone");
        if (zone == null || !zone.isTextual()) {
            throw invalid(field + ".timezone", field + ".timezone is required (an IANA zone such as Europe/Paris)");
        }
        ZoneId zoneId;
        try {
            zoneId = zone.asText().contains("/") || zone.asText().equals("UTC") ? ZoneId.of(zone.asText()) : null;
        } catch (DateTimeException e) {
            zoneId = null;
        }
        if (zoneId == null) {
            throw invalid(field + ".timezone", field + ".timezone '" + zone.asText() + "' is not an IANA time zone");
        }
        return new Condition.TimeWindow(days, start, end, zoneId, negate);
    }

    private static Condition dateRange(JsonNode node, String field, boolean negate) {
        Instant start = instant(node.get("start"), field + ".start");
        Instant end = instant(node.get("end"), field + ".end");
        if (!end.isAfter(start)) {
            throw invalid(field + ".end", field + ".end must be after start");
        }
        return new Condition.DateRange(start, end, negate);
    }

    private static Condition country(JsonNode node, String field, boolean negate) {
        Set<String> countries = strings(node.get("countries"), field + ".countries", false, v -> v);
        Set<String> lower = new LinkedHashSet<>();
        for (String country : countries) {
            if (!COUNTRIES.contains(country.toUpperCase(Locale.ROOT)) || country.length() != 2) {
                throw invalid(field + ".countries", field + ".countries: '" + country
                        + "' is not an ISO 3166-1 alpha-2 country code");
            }
            lower.add(country.toLowerCase(Locale.ROOT));
        }
        return new Condition.OneOf("country", c -> single(c.country()), lower, negate);
    }

    private static Condition ip(JsonNode node, String field, boolean negate) {
        List<Cidr> networks = new ArrayList<>();
        for (String cidr : strings(node.get("cidrs"), field + ".cidrs", false, v -> v)) {
            Cidr parsed = Cidr.parse(cidr);
            if (parsed == null) {
                throw invalid(field + ".cidrs", field + ".cidrs: '" + cidr + "' is not an IPv4 or IPv6 CIDR block");
            }
            networks.add(parsed);
        }
        return new Condition.IpRange(networks, negate);
    }

    private static Condition oneOf(JsonNode node, String field, String listField, String type, boolean negate,
            Set<String> known, Function<PolicyContext, Collection<String>> attribute) {
        Set<String> values = strings(node.get(listField), field + "." + listField, false, v -> v.toLowerCase(Locale.ROOT));
        if (known != null) {
            for (String value : values) {
                if (!known.contains(value)) {
                    throw invalid(field + "." + listField, field + "." + listField + ": '" + value + "' is not one of "
                            + String.join(", ", known.stream().sorted().toList()));
                }
            }
        }
        return new Condition.OneOf(type, attribute, values, negate);
    }

    private static Condition attribute(JsonNode node, String field, boolean negate) {
        JsonNode name = node.get("attribute");
        if (name == null || !name.isTextual()) {
            throw invalid(field + ".attribute", field + ".attribute is required");
        }
        AttributePath path = AttributePath.of(name.asText());
        if (path == null) {
            throw invalid(field + ".attribute", field + ".attribute '" + name.asText() + "' is not a known attribute ("
                    + String.join(", ", AttributePath.known()) + ")");
        }
        JsonNode opNode = node.get("op");
        Op op;
        try {
            op = Op.valueOf(opNode.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid(field + ".op", field + ".op must be one of eq, ne, gt, gte, lt, lte, in, not_in, contains, regex");
        }
        JsonNode value = node.get("value");
        String valueField = field + ".value";
        if (value == null || value.isNull()) {
            throw invalid(valueField, valueField + " is required");
        }
        return switch (op) {
            case GT, GTE, LT, LTE -> {
                if (path.type() != AttributePath.Type.NUMBER) {
                    throw invalid(field + ".op", field + ".op " + op.name().toLowerCase(Locale.ROOT)
                            + " needs a numeric attribute; " + path.path() + " is not one");
                }
                yield new Condition.Attribute(path, op, number(value, valueField), null, negate);
            }
            case IN, NOT_IN -> {
                if (!value.isArray() || value.isEmpty()) {
                    throw invalid(valueField, valueField + " must be a non-empty array for " + op.name().toLowerCase(Locale.ROOT));
                }
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    values.add(scalar(value.get(i), path, valueField + "[" + i + "]"));
                }
                yield new Condition.Attribute(path, op, List.copyOf(values), null, negate);
            }
            case REGEX -> {
                if (path.type() == AttributePath.Type.NUMBER) {
                    throw invalid(field + ".op", field + ".op regex needs a text attribute; " + path.path() + " is numeric");
                }
                if (!value.isTextual()) {
                    throw invalid(valueField, valueField + " must be a regular expression string");
                }
                String error = SafeRegex.compileError(value.asText());
                if (error != null) {
                    throw invalid(valueField, valueField + " is not a valid regular expression: " + error);
                }
                yield new Condition.Attribute(path, op, value.asText(), SafeRegex.compile(value.asText(), false), negate);
            }
            case CONTAINS -> {
                if (path.type() == AttributePath.Type.NUMBER) {
                    throw invalid(field + ".op", field + ".op contains needs a text or list attribute; " + path.path()
                            + " is numeric");
                }
                yield new Condition.Attribute(path, op, scalar(value, path, valueField), null, negate);
            }
            default -> new Condition.Attribute(path, op, scalar(value, path, valueField), null, negate);
        };
    }

    private static Object scalar(JsonNode value, AttributePath path, String field) {
        if (path.type() == AttributePath.Type.NUMBER) {
            return number(value, field);
        }
        if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
            throw invalid(field, field + " must be a string, number or boolean");
        }
        return value.asText();
    }

    private static BigDecimal number(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw invalid(field, field + " must be a number");
        }
        return value.decimalValue();
    }

    private static DayOfWeek day(String value, String field) {
        for (DayOfWeek day : DayOfWeek.values()) {
            String full = day.name().toLowerCase(Locale.ROOT);
            if (full.equals(value) || full.substring(0, 3).equals(value)) {
                return day;
            }
        }
        throw invalid(field, field + ": '" + value + "' is not a day (mon … sun)");
    }

    private static LocalTime time(JsonNode node, String field) {
        if (node == null || !node.isTextual() || !node.asText().matches(HH_MM)) {
            throw invalid(field, field + " must be a time HH:MM (00:00–23:59)");
        }
        return LocalTime.parse(node.asText());
    }

    private static Instant instant(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            throw invalid(field, field + " is required (an ISO-8601 instant such as 2025-12-25T00:00:00Z)");
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw invalid(field, field + " must be an ISO-8601 instant such as 2025-12-25T00:00:00Z");
        }
    }

    private static boolean bool(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw invalid(field, field + " must be true or false");
        }
        return node.asBoolean();
    }

    private static Set<String> strings(JsonNode node, String field, boolean optional, Function<String, String> normalise) {
        if (node == null || node.isNull()) {
            if (optional) {
                return Set.of();
            }
            throw invalid(field, field + " is required (a non-empty array)");
        }
        if (!node.isArray() || (!optional && node.isEmpty())) {
            throw invalid(field, field + " must be a" + (optional ? "n" : " non-empty") + " array of strings");
        }
        if (node.size() > MAX_VALUES) {
            throw invalid(field, field + " may hold at most " + MAX_VALUES + " values");
        }
        Set<String> values = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual() || item.asText().isBlank()) {
                throw invalid(field + "[" + i + "]", field + "[" + i + "] must be a non-empty string");
            }
            values.add(normalise.apply(item.asText().strip()));
        }
        return Set.copyOf(values);
    }

    private static void onlyFields(JsonNode node, String field, Set<String> allowed, String kind) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid(field + "." + name, field + "." + name + " is not a field of a " + kind
                        + (kind.equals("target") ? "" : " condition"));
            }
        }
    }

    private static List<String> single(String value) {
        return value == null ? null : List.of(value);
    }

    private static ProblemException invalid(String field, String detail) {
        return ProblemException.validation(detail).with("field", field);
    }
}
