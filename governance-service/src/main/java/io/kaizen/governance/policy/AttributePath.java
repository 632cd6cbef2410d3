package io.kaizen.governance.policy;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The attributes a generic {@code {attribute, op, value}} condition may name, with their type. Time attributes
 * are taken from the decision's instant in UTC ({@code time.weekday}: Monday = 0 … Sunday = 6).
 */
public enum AttributePath {
    USER_ID("user.id", Type.STRING, c -> c.userId()),
    USER_SUBJECT("user.subject", Type.STRING, c -> c.subject()),
    USER_ROLES("user.roles", Type.LIST, c -> c.roles()),
    USER_TEAM("user.team", Type.STRING, c -> c.teamId()),
    AGENT_ID("agent.id", Type.STRING, c -> c.agentId()),
    AGENT_PLATFORM("agent.platform", Type.STRING, c -> c.platform()),
    AGENT_TAGS("agent.tags", Type.LIST, c -> c.tags()),
    ENVIRONMENT("environment", Type.STRING, c -> c.environment()),
    ORGANIZATION_ID("organization.id", Type.STRING, c -> c.organizationId()),
    IP("ip", Type.STRING, c -> c.ip()),
    COUNTRY("country", Type.STRING, c -> c.country()),
    ESTIMATED_COST("estimated_cost", Type.NUMBER, c -> c.estimatedCost()),
    TOKENS("tokens", Type.NUMBER, c -> c.tokens() == null ? null : BigDecimal.valueOf(c.tokens())),
    TIME_HOUR("time.hour", Type.NUMBER, c -> BigDecimal.valueOf(utc(c).getHour())),
    TIME_MINUTE("time.minute", Type.NUMBER, c -> BigDecimal.valueOf(utc(c).getMinute())),
    TIME_WEEKDAY("time.weekday", Type.NUMBER,
            c -> BigDecimal.valueOf(utc(c).getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue())),
    TIME_DAY("time.day", Type.NUMBER, c -> BigDecimal.valueOf(utc(c).getDayOfMonth())),
    TIME_MONTH("time.month", Type.NUMBER, c -> BigDecimal.valueOf(utc(c).getMonthValue()));

    public enum Type {
        STRING, NUMBER, LIST
    }

    private final String path;
    private final Type type;
    private final Function<PolicyContext, Object> reader;

    AttributePath(String path, Type type, Function<PolicyContext, Object> reader) {
        this.path = path;
        this.type = type;
        this.reader = reader;
    }

    public String path() {
        return path;
    }

    public Type type() {
        return type;
    }

    public Object read(PolicyContext context) {
        return reader.apply(context);
    }

    public static AttributePath of(String path) {
        return Arrays.stream(values()).filter(a -> a.path.equals(path)).findFirst().orElse(null);
    }

    public static List<String> known() {
        return Arrays.stream(values()).map(AttributePath::path).toList();
    }

    private static ZonedDateTime utc(PolicyContext context) {
        return context.now().atZone(ZoneOffset.UTC);
    }
}
