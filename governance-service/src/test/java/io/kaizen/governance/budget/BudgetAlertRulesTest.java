package io.kaizen.governance.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.service.GovernanceValidation;

/** The pure parts of budget alerts: the webhook URL check, the forecast, the messages and their ids. */
class BudgetAlertRulesTest {

    private static final EgressGuard PRODUCTION = new EgressGuard(false, true, List.of());
    private static final BudgetPeriod DECEMBER = BudgetPeriod.of(BudgetPeriod.MONTHLY, LocalDate.of(2026, 12, 1));

    private static BudgetAlertConfig webhook(String url) {
        return new BudgetAlertConfig(null, null, null, url, null, null, null);
    }

    @Test
    void aWebhookOnLoopbackOrPlainHttpIsRefusedWithoutLoopbackAllowed() {
        for (String url : List.of("https://127.0.0.1/hook", "https://[::1]/hook",
                "https://[::ffff:127.0.0.1]/hook", "https://0x7f000001/hook", "https://017700000001/hook",
                "https://0.0.0.0/hook", "https://100.64.0.1/hook", "https://[fe80::1]/hook", "http://hooks.example.com/")) {
            assertThatThrownBy(() -> GovernanceValidation.budgetAlerts(webhook(url), PRODUCTION)).as(url)
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).fields()).containsEntry("field", "webhook_url"));
        }
        GovernanceValidation.budgetAlerts(webhook("https://hooks.example.com/budget"), PRODUCTION);
    }

    @Test
    void theForecastProjectsTheSpendSoFarToThePeriodsEnd() {
        // ten of December's 31 days gone: $10 spent projects to $31
        assertThat(BudgetAlertMessages.forecast(new BigDecimal("10.00"), DECEMBER, Instant.parse("2026-12-11T00:00:00Z")))
                .isEqualByComparingTo("31.00");
        assertThat(BudgetAlertMessages.forecast(new BigDecimal("10.00"), DECEMBER, Instant.parse("2026-12-01T00:00:00Z")))
                .isEqualByComparingTo("10.00");
        assertThat(BudgetAlertMessages.forecast(new BigDecimal("10.00"), DECEMBER, Instant.parse("2027-01-05T00:00:00Z")))
                .isEqualByComparingTo("10.00");
    }

    @Test
    void oneNotificationPerChannelWithIdsThatRepeatForTheSameCrossingOnly() {
        BudgetAlertConfig config = new BudgetAlertConfig(null, null, null, "https://hooks.example.com/b",
                List.of("ops@example.com"), List.of("agt_01JDKZ0000000000000000000A"), null).withDefaults();
        BudgetAlertMessages.Alert alert = new BudgetAlertMessages.Alert("org_1", "agt_1", "Support bot", "monthly",
                DECEMBER, 100, new BigDecimal("1.05"), new BigDecimal("1.00"), new BigDecimal("3.00"));
        Instant now = Instant.parse("2026-12-11T00:00:00Z");
        List<Outbox.Entry> first = BudgetAlertMessages.notifications(alert, config, false, now);
        List<Outbox.Entry> again = BudgetAlertMessages.notifications(alert, config, false, now.plusSeconds(60));
        List<Outbox.Entry> reminder = BudgetAlertMessages.notifications(alert, config, true, now.plusSeconds(60));
        assertThat(first).extracting(entry -> ((NotificationEvent) entry.data()).channel().type())
                .containsExactly("email", "webhook", "agent");
        assertThat(ids(first)).doesNotHaveDuplicates().allMatch(id -> id.matches("ntf_[0-9a-f]{32}"));
        assertThat(ids(again)).isEqualTo(ids(first));
        assertThat(ids(reminder)).doesNotContainAnyElementsOf(ids(first));
        NotificationEvent.Message message = ((NotificationEvent) first.get(0).data()).message();
        assertThat(message.title()).isEqualTo("Budget 100 % used: Support bot (monthly)");
        assertThat(message.status()).isEqualTo("failed");
        assertThat(message.text()).isEqualTo("Support bot has used 100 % of its monthly budget: $1.05 of $1.00 spent,"
                + " -$0.05 remaining until 2027-01-01T00:00:00Z. At this pace it will have spent $3.00 by then.");
    }

    private static List<String> ids(List<Outbox.Entry> entries) {
        return entries.stream().map(entry -> ((NotificationEvent) entry.data()).notificationId()).toList();
    }
}
