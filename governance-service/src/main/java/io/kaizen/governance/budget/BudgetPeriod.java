package io.kaizen.governance.budget;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

import io.kaizen.governance.domain.BudgetReservation;

/**
 * A budget period: a UTC calendar month or day, or a week from Monday 00:00 to the next Monday 00:00 in the
 * organisation's time zone (7 calendar days: 167 or 169 hours across a daylight-saving change). Budgets reset at its
 * end. {@code key} names its Redis tally and depends only on the local start date, so a reservation's tally is found
 * from the date stored on it, whatever the time zone says later; {@code zone} only places the period in time.
 */
public record BudgetPeriod(String name, LocalDate start, LocalDate endExclusive, ZoneId zone) {

    public static final String MONTHLY = "monthly";
    public static final String WEEKLY = "weekly";
    public static final String DAILY = "daily";
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    public static BudgetPeriod month(Instant now) {
        return of(MONTHLY, LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1), ZoneOffset.UTC);
    }

    /** The week holding {@code now}, starting on Monday 00:00 in {@code zone}. */
    public static BudgetPeriod week(Instant now, ZoneId zone) {
        return of(WEEKLY, LocalDate.ofInstant(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), zone);
    }

    public static BudgetPeriod day(Instant now) {
        return of(DAILY, LocalDate.ofInstant(now, ZoneOffset.UTC), ZoneOffset.UTC);
    }

    /** The month or day that starts on {@code start} (a week so made is placed in UTC). */
    public static BudgetPeriod of(String name, LocalDate start) {
        return of(name, start, ZoneOffset.UTC);
    }

    /** The period of this kind that starts on {@code start} (a reservation's own month, week or day). */
    public static BudgetPeriod of(String name, LocalDate start, ZoneId zone) {
        return switch (name) {
            case MONTHLY -> new BudgetPeriod(MONTHLY, start, start.plusMonths(1), ZoneOffset.UTC);
            case WEEKLY -> new BudgetPeriod(WEEKLY, start, start.plusWeeks(1), zone);
            default -> new BudgetPeriod(DAILY, start, start.plusDays(1), ZoneOffset.UTC);
        };
    }

    /**
     * The periods an agent's reservation counts against, from the starts stored on it: month, week, day, in the
     * order of an agent's budget lines. The one place that lists them.
     */
    public static List<BudgetPeriod> ofReservation(LocalDate monthStart, LocalDate weekStart, LocalDate dayStart,
            ZoneId weekZone) {
        return List.of(of(MONTHLY, monthStart, ZoneOffset.UTC), of(WEEKLY, weekStart, weekZone),
                of(DAILY, dayStart, ZoneOffset.UTC));
    }

    /**
     * The periods of a stored reservation, for its tallies and totals, which need only the stored starts: the week
     * is placed in UTC, so its {@link #startsAt()} is not the organisation's.
     */
    public static List<BudgetPeriod> ofReservation(BudgetReservation row) {
        return ofReservation(row.monthStart, row.weekStart, row.dayStart, ZoneOffset.UTC);
    }

    /** The periods a reservation made at {@code now} counts against. */
    public static List<BudgetPeriod> at(Instant now, ZoneId weekZone) {
        return ofReservation(month(now).start(), week(now, weekZone).start(), day(now).start(), weekZone);
    }

    /** The period of the same kind just before this one (whose unused budget may roll over into this one). */
    public BudgetPeriod previous() {
        return switch (name) {
            case MONTHLY -> of(MONTHLY, start.minusMonths(1), zone);
            case WEEKLY -> of(WEEKLY, start.minusWeeks(1), zone);
            default -> of(DAILY, start.minusDays(1), zone);
        };
    }

    public Instant startsAt() {
        return start.atStartOfDay(zone).toInstant();
    }

    public Instant resetsAt() {
        return endExclusive.atStartOfDay(zone).toInstant();
    }

    /** {@code m:202501}, {@code w:20250113} (the local Monday) or {@code d:20250115}. */
    public String key() {
        return switch (name) {
            case MONTHLY -> "m:" + DAY.format(start).substring(0, 6);
            case WEEKLY -> "w:" + DAY.format(start);
            default -> "d:" + DAY.format(start);
        };
    }

    /** Seconds the tally of this period is kept: the rest of the period plus a grace for late settlements. */
    public long ttlSeconds(Instant now) {
        long grace = MONTHLY.equals(name) ? 35L * 86_400 : WEEKLY.equals(name) ? 8L * 86_400 : 2L * 86_400;
        return Math.max(60, resetsAt().getEpochSecond() - now.getEpochSecond() + grace);
    }
}
