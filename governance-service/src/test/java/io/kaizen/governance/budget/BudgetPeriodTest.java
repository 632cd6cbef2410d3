package io.kaizen.governance.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.governance.TokenRates;

class BudgetPeriodTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Instant local(String dateTime, ZoneId zone) {
        return LocalDateTime.parse(dateTime).atZone(zone).toInstant();
    }

    @Test
    void aWeekEndsOnTheLastMillisecondOfSundayLocalAndTheNextStartsOnMondayMidnightLocal() {
        for (ZoneId zone : List.of(PARIS, NEW_YORK)) {
            BudgetPeriod sunday = BudgetPeriod.week(local("2025-01-19T23:59:59.999", zone), zone);
            BudgetPeriod monday = BudgetPeriod.week(local("2025-01-20T00:00:00", zone), zone);

            assertThat(sunday.start()).isEqualTo(LocalDate.parse("2025-01-13"));
            assertThat(sunday.key()).isEqualTo("w:20250113");
            assertThat(sunday.resetsAt()).isEqualTo(local("2025-01-20T00:00:00", zone));
            assertThat(monday.start()).isEqualTo(LocalDate.parse("2025-01-20"));
            assertThat(monday.key()).isEqualTo("w:20250120");
            assertThat(monday.startsAt()).isEqualTo(local("2025-01-20T00:00:00", zone));
            assertThat(Duration.between(monday.startsAt(), monday.resetsAt())).isEqualTo(Duration.ofHours(168));
        }
    }

    @Test
    void theWeekFollowsTheOrganisationsZoneNotUtc() {
        // Monday 00:30 in Paris is still Sunday 23:30 in UTC
        Instant instant = local("2025-01-20T00:30:00", PARIS);
        assertThat(BudgetPeriod.week(instant, PARIS).start()).isEqualTo(LocalDate.parse("2025-01-20"));
        assertThat(BudgetPeriod.week(instant, ZoneOffset.UTC).start()).isEqualTo(LocalDate.parse("2025-01-13"));
        // Sunday 19:30 in New York is already Monday 00:30 in UTC
        Instant evening = local("2025-01-19T19:30:00", NEW_YORK);
        assertThat(BudgetPeriod.week(evening, NEW_YORK).start()).isEqualTo(LocalDate.parse("2025-01-13"));
        assertThat(BudgetPeriod.week(evening, ZoneOffset.UTC).start()).isEqualTo(LocalDate.parse("2025-01-20"));
    }

    @Test
    void aWeekAcrossADaylightSavingChangeIs167Or169Hours() {
        // Paris springs forward on Sunday 2025-03-30 and falls back on Sunday 2025-10-26
        BudgetPeriod spring = BudgetPeriod.week(local("2025-03-30T23:59:59.999", PARIS), PARIS);
        assertThat(spring.start()).isEqualTo(LocalDate.parse("2025-03-24"));
        assertThat(spring.resetsAt()).isEqualTo(Instant.parse("2025-03-30T22:00:00Z"));
        assertThat(Duration.between(spring.startsAt(), spring.resetsAt())).isEqualTo(Duration.ofHours(167));
        assertThat(BudgetPeriod.week(local("2025-03-31T00:00:00", PARIS), PARIS).start())
                .isEqualTo(LocalDate.parse("2025-03-31"));
        BudgetPeriod autumn = BudgetPeriod.week(local("2025-10-26T23:59:59.999", PARIS), PARIS);
        assertThat(Duration.between(autumn.startsAt(), autumn.resetsAt())).isEqualTo(Duration.ofHours(169));

        // New York springs forward on Sunday 2025-03-09 and falls back on Sunday 2025-11-02
        BudgetPeriod nySpring = BudgetPeriod.week(local("2025-03-09T23:59:59.999", NEW_YORK), NEW_YORK);
        assertThat(nySpring.start()).isEqualTo(LocalDate.parse("2025-03-03"));
        assertThat(nySpring.resetsAt()).isEqualTo(Instant.parse("2025-03-10T04:00:00Z"));
        assertThat(Duration.between(nySpring.startsAt(), nySpring.resetsAt())).isEqualTo(Duration.ofHours(167));
        assertThat(BudgetPeriod.week(Instant.parse("2025-03-10T04:00:00Z"), NEW_YORK).start())
                .isEqualTo(LocalDate.parse("2025-03-10"));
        BudgetPeriod nyAutumn = BudgetPeriod.week(local("2025-11-02T23:59:59.999", NEW_YORK), NEW_YORK);
        assertThat(nyAutumn.start()).isEqualTo(LocalDate.parse("2025-10-27"));
        assertThat(Duration.between(nyAutumn.startsAt(), nyAutumn.resetsAt())).isEqualTo(Duration.ofHours(169));
    }

    @Test
    void aReservationsPeriodsComeFromItsStoredStartsWhateverTheZone() {
        List<BudgetPeriod> periods = BudgetPeriod.ofReservation(LocalDate.parse("2025-03-01"),
                LocalDate.parse("2025-03-24"), LocalDate.parse("2025-03-30"), PARIS);
        assertThat(periods).extracting(BudgetPeriod::key).containsExactly("m:202503", "w:20250324", "d:20250330");
        assertThat(BudgetPeriod.ofReservation(LocalDate.parse("2025-03-01"), LocalDate.parse("2025-03-24"),
                LocalDate.parse("2025-03-30"), NEW_YORK)).extracting(BudgetPeriod::key)
                .containsExactly("m:202503", "w:20250324", "d:20250330");
        // a week spanning two months: the reservation's month and week are both its own
        assertThat(BudgetPeriod.at(local("2025-03-02T12:00:00", PARIS), PARIS)).extracting(BudgetPeriod::key)
                .containsExactly("m:202503", "w:20250224", "d:20250302");
        assertThat(periods.get(1).previous().key()).isEqualTo("w:20250317");
        assertThat(periods.get(0).previous().key()).isEqualTo("m:202502");
        assertThat(periods.get(2).previous().key()).isEqualTo("d:20250329");
    }

    @Test
    void rolloverIsCappedAtAFractionOfTheLinesOwnLimitAndOffByDefault() {
        BudgetLimits on = limits(true, new BigDecimal("0.25"));
        assertThat(on.rolloverMicros(100_000_000, 40_000_000)).isEqualTo(25_000_000);
        assertThat(on.rolloverMicros(100_000_000, 10_000_000)).isEqualTo(10_000_000);
        assertThat(on.rolloverMicros(-1, 40_000_000)).isZero();
        assertThat(limits(false, new BigDecimal("0.25")).rolloverMicros(100_000_000, 40_000_000)).isZero();
        assertThat(limits(true, BigDecimal.ONE).rolloverMicros(100_000_000, 40_000_000)).isEqualTo(40_000_000);
    }

    private static BudgetLimits limits(boolean rollover, BigDecimal percentage) {
        return new BudgetLimits(100_000_000, -1, -1, -1, -1, -1, new BigDecimal("0.05"), new BigDecimal("0.8"),
                new BigDecimal("0.9"), "hard", new TokenRates(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO),
                rollover, percentage);
    }
}
