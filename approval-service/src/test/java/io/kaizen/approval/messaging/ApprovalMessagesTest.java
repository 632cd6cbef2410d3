package io.kaizen.approval.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.events.NotificationEvent.Fact;
import io.kaizen.common.outbox.Outbox;

/** The notification telling approvers of a request stays within what the gateway delivers. */
class ApprovalMessagesTest {

    static ApprovalRequest request(String reasons) {
        ApprovalRequest request = new ApprovalRequest();
        request.id = "apr_1";
        request.organizationId = "org_1";
        request.agentId = "agt_1";
        request.requestedBy = "dev-1";
        request.reasons = reasons;
        request.estimatedCost = new BigDecimal("1.5");
        request.requiredApprovals = 2;
        request.createdAt = Instant.parse("2030-01-01T10:00:00Z");
        request.expiresAt = request.createdAt.plus(Duration.ofMinutes(90));
        return request;
    }

    @Test
    void longReasonsAreShortenedInTheirFactAndKeptWholeInTheText() {
        String reasons = "r".repeat(4000);
        Outbox.Entry entry = ApprovalMessages.entry(request(reasons),
                new NotificationChannel(NotificationChannel.EMAIL, "alice@example.com", null, null, null),
                ApprovalMessages.Occasion.REQUESTED, "https://kaizen.example.com/approvals/review/t",
                Instant.parse("2030-01-01T10:00:00Z"));
        NotificationEvent event = (NotificationEvent) entry.data();
        assertThat(event.message().facts()).allSatisfy(fact -> assertThat(fact.value()).hasSizeLessThanOrEqualTo(256));
        assertThat(event.message().facts().get(2).value()).hasSize(256).endsWith("…");
        assertThat(event.message().text()).contains(reasons);
        assertThat(event.message().facts()).extracting(Fact::value)
                .containsExactly("agt_1", "dev-1", "r".repeat(255) + "…", "$1.50", "1 h 30 min", "0 of 2");
        assertThat(event.channel().to()).isEqualTo(List.of("alice@example.com"));
    }

    @Test
    void aReminderIsANewNotificationWhileTheFirstTellingIsStable() {
        NotificationChannel channel = new NotificationChannel(NotificationChannel.AGENT, null, "agt_2", null, "bob");
        Instant now = Instant.parse("2030-01-01T10:00:00Z");
        String first = id(ApprovalMessages.entry(request("x"), channel, ApprovalMessages.Occasion.REQUESTED, "l", now));
        assertThat(id(ApprovalMessages.entry(request("x"), channel, ApprovalMessages.Occasion.REQUESTED, "l2",
                now.plusSeconds(5)))).isEqualTo(first);
        String reminder = id(ApprovalMessages.entry(request("x"), channel, ApprovalMessages.Occasion.REMINDER, "l", now));
        assertThat(reminder).isNotEqualTo(first);
        assertThat(id(ApprovalMessages.entry(request("x"), channel, ApprovalMessages.Occasion.REMINDER, "l",
                now.plusSeconds(3600)))).isNotEqualTo(reminder);
    }

    private static String id(Outbox.Entry entry) {
        return ((NotificationEvent) entry.data()).notificationId();
    }
}
