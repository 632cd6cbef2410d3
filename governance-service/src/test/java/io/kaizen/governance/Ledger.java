package io.kaizen.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.kaizen.governance.journal.DecisionJournal;
import io.quarkus.arc.Arc;

/**
 * Direct looks at governance's database, Redis and Kafka, for what the API does not show (outbox rows, ledger rows,
 * budget tallies, events in).
 */
final class Ledger {

    private Ledger() {
    }

    /** Types of the outbox events whose key (subject) is {@code subject}, oldest first. */
    static List<String> outboxTypes(String subject) throws Exception {
        return outbox("type", subject, null);
    }

    /** Payloads of the outbox events of one type and subject. */
    static List<String> outboxPayloads(String subject, String type) throws Exception {
        return outbox("payload", subject, type);
    }

    private static List<String> outbox(String column, String subject, String type) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection db = connect();
                PreparedStatement query = db.prepareStatement("select " + column + " from outbox_event"
                        + " where subject = ? and (cast(? as text) is null or type = ?) order by occurred_at, id")) {
            query.setString(1, subject);
            query.setString(2, type);
            query.setString(3, type);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    /** Publishes an invocation event the way the gateway's outbox relay does. */
    static void publishInvocation(String eventId, String type, String organizationId, String invocationId, String data) {
        publish("kaizen.invocations.v1", new CloudEvent(eventId, "/kaizen/test", type, invocationId, organizationId,
                Instant.now(), data));
    }

    /**
     * The gateway's refusal of a call whose decision it never learned (it timed out waiting, or could not reach
     * governance): its event carries neither decision nor reservation id.
     */
    static void publishRefusal(String invocationId, String organizationId, String agentId) {
        publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_BLOCKED, organizationId, invocationId,
                invocationEvent(invocationId, organizationId, agentId, "{\"decision\": \"UNAVAILABLE\"}",
                        "{\"cost_usd\": 0}"));
    }

    /** Publishes an event keyed by its subject, with its CloudEvents headers, as an outbox relay does. */
    static void publish(String topic, CloudEvent event) {
        Properties config = new Properties();
        config.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        config.put("key.serializer", StringSerializer.class.getName());
        config.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.subject(), event.data());
            for (Header header : event.headers()) {
                record.headers().add(header.key(), header.value());
            }
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + event.id(), e);
        }
    }

    /** Whether {@code consumer} has recorded {@code eventId} as processed. */
    static boolean processed(String consumer, String eventId) {
        return row("select 1 from processed_event where consumer = ? and event_id = ?", consumer, eventId) != null;
    }

    /** One ledger reservation as stored: status, estimate_usd, actual_usd, swept (null when absent). */
    static Map<String, Object> reservation(String id) {
        return row("select status, estimate_usd, actual_usd, swept, configured_cost_usd from budget_reservation"
                + " where id = ?", id);
    }

    /** Waits (up to 60 s) until a reservation has ended as {@code status}: settlement runs off Kafka and the sweeper. */
    static void awaitStatus(String reservationId, String status) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(reservation(reservationId))
                .containsEntry("status", status));
    }

    /** Writes an agent's journaled decisions to the ledger now (they are otherwise group-committed moments later). */
    static void flushJournal(String agentId) {
        Arc.container().instance(DecisionJournal.class).get().flush(agentId).await().atMost(Duration.ofSeconds(30));
    }

    /** The number of ledger reservations of an agent. */
    static long reservationCount(String agentId) {
        return (Long) row("select count(*) as n from budget_reservation where agent_id = ?", agentId).get("n");
    }

    /** This month's Redis tally of a scope ({@link BudgetTallies#agentTag}, {@link BudgetTallies#organizationTag}). */
    static Tally monthTally(String tag) {
        return tally(tag, BudgetPeriod.month(Instant.now()));
    }

    /** Today's Redis tally of a scope. */
    static Tally dayTally(String tag) {
        return tally(tag, BudgetPeriod.day(Instant.now()));
    }

    private static Tally tally(String tag, BudgetPeriod period) {
        return Arc.container().instance(BudgetTallies.class).get().read(tag, List.of(period))
                .await().atMost(Duration.ofSeconds(10)).get(0);
    }

    /** The settled totals of an agent in this month: spent_usd and executions. */
    static Map<String, Object> monthTotals(String agentId) {
        return row("select spent_usd, executions from budget_total where agent_id = ? and period = 'monthly'"
                + " and period_start = date_trunc('month', now() at time zone 'utc')::date", agentId);
    }

    static boolean refused(String invocationId) {
        return row("select invocation_id from refused_invocation where invocation_id = ?", invocationId) != null;
    }

    /** Makes a refusal look older than the reservation timeout. */
    static void ageRefusal(String invocationId) {
        update("update refused_invocation set refused_at = now() - interval '1 hour' where invocation_id = ?",
                invocationId);
    }

    /**
     * Makes a reservation look as old as one whose outcome was lost, for the sweeper. Its row may still be only in
     * its agent's journal, so the journals are written first: aging a row not yet in the ledger would age nothing.
     */
    static void age(String reservationId) {
        Arc.container().instance(DecisionJournal.class).get().flushEverything().await().atMost(Duration.ofSeconds(30));
        int aged = update("update budget_reservation set reserved_at = now() - interval '1 hour' where id = ?",
                reservationId);
        if (aged != 1) {
            throw new IllegalStateException("reservation " + reservationId + " is not in the ledger");
        }
    }

    /** Writes a reservation's ledger row the way an allowed decision commits it. */
    static void commitReservation(String id, String organizationId, String agentId, String invocationId,
            String estimate) {
        update("insert into budget_reservation (id, organization_id, agent_id, user_id, decision_id, invocation_id,"
                + " estimate_usd, configured_cost_usd, status, month_start, week_start, day_start, org_reserved,"
                + " tally_synced, reserved_at) values (?, ?, ?, 'u1', 'dec_test', ?, cast(? as numeric), 0, 'reserved',"
                + " date_trunc('month', now() at time zone 'utc')::date, date_trunc('week', now() at time zone 'utc')::date,"
                + " (now() at time zone 'utc')::date, false, true, now())", id, organizationId, agentId, invocationId,
                estimate);
    }

    /** The first row of a query as column → value; null when there is none. */
    static Map<String, Object> row(String sql, String... parameters) {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                    values.put(rows.getMetaData().getColumnName(i), rows.getObject(i));
                }
                return values;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int update(String sql, String... parameters) {
        try (Connection db = connect(); PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sessions of the governance database, other than the asking one, in the state {@code condition} says. */
    static int sessions(String condition) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement("select count(*) from pg_stat_activity"
                + " where datname = current_database() and pid <> pg_backend_pid() and " + condition);
                ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Sessions of the governance database waiting for a lock, whichever it is. */
    static int waitingForLocks() throws SQLException {
        return sessions("wait_event_type = 'Lock'");
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"), "kaizen", "kaizen");
    }

    /**
     * Data of an invocation event with its governance and result parts given as JSON objects, e.g.
     * {@code {"decision": "ALLOW", "reservation_id": "res_1"}} and {@code {"cost_usd": 0.05}}.
     */
    static String invocationEvent(String invocationId, String organizationId, String agentId, String governance,
            String result) {
        return """
                {"invocation_id": "%s", "organization_id": "%s", "status": "success",
                 "external_user": {"id": "u1"}, "agent": {"id": "%s", "name": "a", "platform": "custom_http"},
                 "governance": %s, "result": %s}
                """.formatted(invocationId, organizationId, agentId, governance, result);
    }

    /** Data of an invocation event whose agent reported {@code cost}, as the gateway publishes it. */
    static String invocationData(String invocationId, String organizationId, String agentId, String userId,
            String reservationId, String cost) {
        return """
                {"invocation_id": "%s", "organization_id": "%s", "status": "success",
                 "external_user": {"id": "%s"}, "agent": {"id": "%s", "name": "a", "platform": "custom_http"},
                 "governance": {"decision": "ALLOW", "reservation_id": "%s"},
                 "result": {"cost_usd": %s, "reported_cost_usd": %s}}
                """.formatted(invocationId, organizationId, userId, agentId, reservationId, cost, cost);
    }
}
