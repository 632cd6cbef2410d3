package io.kaizen.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;

/** The delivery and delivery_attempt rows as PostgreSQL holds them, read (and leases changed) over JDBC. */
public final class StoredDeliveries {

    public record Row(String id, String status, int attempts, int attemptsLeft, Instant nextAttemptAt,
            Instant leaseUntil, Integer lastStatusCode) {
    }

    public record Attempt(int attempt, Instant attemptedAt, Integer statusCode, String errorKind, long durationMs,
            String error, String responseExcerpt) {
    }

    private StoredDeliveries() {
    }

    public static Row row(String id) {
        try (Connection db = database();
                PreparedStatement query = db.prepareStatement("select id, status, attempts, attempts_left,"
                        + " next_attempt_at, lease_until, last_status_code from delivery where id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new AssertionError("no delivery " + id);
                }
                return new Row(rows.getString(1), rows.getString(2), rows.getInt(3), rows.getInt(4),
                        instant(rows.getTimestamp(5)), instant(rows.getTimestamp(6)),
                        (Integer) rows.getObject(7));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean exists(String id) {
        try (Connection db = database();
                PreparedStatement query = db.prepareStatement("select count(*) from delivery where id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1) == 1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<Attempt> attempts(String deliveryId) {
        try (Connection db = database();
                PreparedStatement query = db.prepareStatement("select attempt, attempted_at, status_code, error_kind,"
                        + " duration_ms, error, response_excerpt from delivery_attempt where delivery_id = ?"
                        + " order by attempt, id")) {
            query.setString(1, deliveryId);
            List<Attempt> attempts = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    attempts.add(new Attempt(rows.getInt(1), instant(rows.getTimestamp(2)),
                            (Integer) rows.getObject(3), rows.getString(4), rows.getLong(5), rows.getString(6),
                            rows.getString(7)));
                }
            }
            return attempts;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement (a lease taken or run out) with the delivery id as its only parameter. */
    public static void update(String sql, String deliveryId) {
        try (Connection db = database(); PreparedStatement update = db.prepareStatement(sql)) {
            update.setString(1, deliveryId);
            if (update.executeUpdate() != 1) {
                throw new AssertionError("no delivery " + deliveryId + " changed by " + sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ids of the deliveries of a notification, oldest first (one at most, however often it was requested). */
    public static List<String> ofNotification(String organizationId, String notificationId) {
        try (Connection db = database(); PreparedStatement query = db.prepareStatement("select id from delivery"
                + " where organization_id = ? and notification_id = ? order by created_at, id")) {
            query.setString(1, organizationId);
            query.setString(2, notificationId);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A finished invocation of that organisation, for deliveries to belong to. */
    public static String invocation(String organizationId) {
        String id = PrefixedId.next(PrefixedId.INVOCATION);
        try (Connection db = database(); PreparedStatement insert = db.prepareStatement("insert into invocation (id,"
                + " organization_id, agent_id, status, trace_id, created_at) values (?, ?, ?, 'success', ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, organizationId);
            insert.setString(3, PrefixedId.next(PrefixedId.AGENT));
            insert.setString(4, "0".repeat(32));
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
            return id;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static Connection database() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("gateway");
    }
}
