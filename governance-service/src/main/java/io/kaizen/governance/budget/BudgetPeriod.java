package io.kaizen.governance.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A UTC calendar month or day: budgets reset at its end. {@code key} names its Redis tally. */
public record BudgetPeriod(String name, LocalDate start, LocalDate endExclusive) {

    public static final String MONTHLY = "monthly";
    public static final String DAILY = "daily";
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    public static BudgetPeriod month(Instant now) {
        LocalDate first = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1);
        return new BudgetPeriod(MONTHLY, first, first.plusMonths(1));
    }

    public static BudgetPeriod day(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return new BudgetPeriod(DAILY, day, day.plusDays(1));
    }

    /** The period of this kind that starts on {@code start} (a reservation's own month or day). */
    public static BudgetPeriod of(String name, LocalDate start) {
        return MONTHLY.equals(name) ? new BudgetPeriod(MONTHLY, start, start.plusMonths(1))
                : new BudgetPeriod(DAILY, start, start.plusDays(1));
    }

    public Instant startsAt() {
        return start.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public Instant resetsAt() {
        return endExclusive.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** {@code m:202501} or {@code d:20250115}. */
    public String key() {
        return MONTHLY.equals(name) ? "m:" + DAY.format(start).substring(0, 6) : "d:" + DAY.format(start);
    }

    /** Seconds the tally of this period is kept: the rest of the period plus a grace for late settlements. */
    public long ttlSeconds(Instant now) {
        long grace = MONTHLY.equals(name) ? 35L * 86_400 : 2L * 86_400;
        return Math.max(60, resetsAt().getEpochSecond() - now.getEpochSecond() + grace);
    }
}
