package io.kaizen.governance.domain;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * A stored budget alert configuration: an agent's own, or its organisation's ({@code agentId} empty), which is the
 * default of the organisation's agents without their own. Lists are JSON text.
 */
@Entity
@Table(name = "budget_alert_config")
@IdClass(BudgetAlertRecord.Key.class)
public class BudgetAlertRecord extends PanacheEntityBase {

    /** The {@code agentId} of an organisation's own configuration. */
    public static final String ORGANIZATION = "";

    @Id
    @Column(name = "organization_id")
    public String organizationId;
    @Id
    @Column(name = "agent_id")
    public String agentId;
    /** JSON array of fractions of the limit, ascending. */
    public String thresholds;
    @Column(name = "alert_once_per_threshold")
    public boolean alertOncePerThreshold;
    @Column(name = "cooldown_minutes")
    public int cooldownMinutes;
    @Column(name = "include_forecast")
    public boolean includeForecast;
    @Column(name = "webhook_url")
    public String webhookUrl;
    @Column(name = "email_recipients")
    public String emailRecipients;
    public String channels;
    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The composite key: organisation and agent (empty for the organisation's own). */
    public static class Key implements Serializable {

        public String organizationId;
        public String agentId;

        public Key() {
        }

        public Key(String organizationId, String agentId) {
            this.organizationId = organizationId;
            this.agentId = agentId;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(organizationId, key.organizationId)
                    && Objects.equals(agentId, key.agentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(organizationId, agentId);
        }
    }
}
