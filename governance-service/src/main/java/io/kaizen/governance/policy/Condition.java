package io.kaizen.governance.policy;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One typed condition of a policy, already validated and compiled. {@code negate} inverts the test, so an
 * unknown attribute (null) fails a plain condition and passes a negated one.
 */
public sealed interface Condition {

    String type();

    boolean negate();

    /** The raw test, before {@link #negate()}. */
    boolean test(PolicyContext context);

    default boolean matches(PolicyContext context) {
        return test(context) != negate();
    }

    /** Local business hours: on one of {@code days} (empty: every day), from {@code start} until {@code end}. */
    record TimeWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone, boolean negate)
            implements Condition {

        @Override
        public String type() {
            return "time_window";
        }

        @Override
        public boolean test(PolicyContext context) {
            ZonedDateTime local = context.now().atZone(zone);
            LocalTime time = local.toLocalTime();
            if (!end.isAfter(start)) {
                // an overnight window (22:00–06:00) belongs to the day it started on
                if (!time.isBefore(start)) {
                    return onDay(local.getDayOfWeek());
                }
                return time.isBefore(end) && onDay(local.getDayOfWeek().minus(1));
            }
            return onDay(local.getDayOfWeek()) && !time.isBefore(start) && time.isBefore(end);
        }

        private boolean onDay(DayOfWeek day) {
            return days.isEmpty() || days.contains(day);
        }
    }

    /** A maintenance window or any other absolute period: {@code start <= now < end}. */
    record DateRange(Instant start, Instant end, boolean negate) implements Condition {

        @Override
        public String type() {
            return "date_range";
        }

        @Override
        public boolean test(PolicyContext context) {
            return !context.now().isBefore(start) && context.now().isBefore(end);
        }
    }

    /**
     * Membership: one of the context's values ({@code environment}, {@code platform}, {@code agent_tags},
     * {@code country}, {@code role}, {@code team}) is in {@code values}. Values are compared case-insensitively.
     */
    record OneOf(String type, Function<PolicyContext, Collection<String>> attribute, Set<String> values,
            boolean negate) implements Condition {

        @Override
        public boolean test(PolicyContext context) {
            Collection<String> actual = attribute.apply(context);
            if (actual == null) {
                return false;
            }
            for (String value : actual) {
                if (value != null && values.contains(value.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The client address is inside one of the networks. */
    record IpRange(List<Cidr> networks, boolean negate) implements Condition {

        @Override
        public String type() {
            return "ip";
        }

        @Override
        public boolean test(PolicyContext context) {
            return context.ip() != null && networks.stream().anyMatch(n -> n.contains(context.ip()));
        }
    }

    /** The generic {@code {attribute, op, value}} condition. */
    record Attribute(AttributePath attribute, Op op, Object value, Pattern pattern, boolean negate)
            implements Condition {

        public enum Op {
            EQ, NE, GT, GTE, LT, LTE, IN, NOT_IN, CONTAINS, REGEX
        }

        @Override
        public String type() {
            return "attribute";
        }

        @Override
        public boolean test(PolicyContext context) {
            Object actual = attribute.read(context);
            if (actual == null) {
                return false;
            }
            return switch (op) {
                case EQ -> any(actual, v -> same(v, value));
                case NE -> !any(actual, v -> same(v, value));
                case GT -> compare(actual) > 0;
                case GTE -> compare(actual) >= 0;
                case LT -> compare(actual) < 0;
                case LTE -> compare(actual) <= 0;
                case IN -> any(actual, v -> ((List<?>) value).stream().anyMatch(candidate -> same(v, candidate)));
                case NOT_IN -> !any(actual, v -> ((List<?>) value).stream().anyMatch(candidate -> same(v, candidate)));
                case CONTAINS -> actual instanceof Collection<?> list ? list.stream().anyMatch(v -> same(v, value))
                        : actual.toString().contains(value.toString());
                case REGEX -> any(actual, v -> SafeRegex.find(pattern, v.toString()));
            };
        }

        private int compare(Object actual) {
            return ((BigDecimal) actual).compareTo((BigDecimal) value);
        }

        private static boolean any(Object actual, java.util.function.Predicate<Object> test) {
            if (actual instanceof Collection<?> list) {
                return list.stream().filter(java.util.Objects::nonNull).anyMatch(test);
            }
            return test.test(actual);
        }

        private static boolean same(Object actual, Object expected) {
            if (actual instanceof BigDecimal number && expected instanceof BigDecimal other) {
                return number.compareTo(other) == 0;
            }
            return actual.toString().equals(expected.toString());
        }
    }
}
