package io.kaizen.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** approval-service's schema, as Flyway leaves it at start. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalMigrationsTest {

    @Test
    void everyMigrationIsAppliedInOrder() throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection db = connect(); Statement query = db.createStatement();
                ResultSet rows = query.executeQuery(
                        "select version, success from flyway_schema_history where version is not null order by installed_rank")) {
            while (rows.next()) {
                assertThat(rows.getBoolean(2)).as("migration " + rows.getString(1)).isTrue();
                versions.add(rows.getString(1));
            }
        }
        assertThat(versions).containsExactly("0.1", "0.2", "0.7", "1", "2", "3.1", "3.7", "3.8");
    }

    @Test
    void anInvocationHasAtMostOneApprovalRequest() throws SQLException {
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        insertRequest(PrefixedId.next(PrefixedId.APPROVAL), invocation, "org_a");
        assertThatThrownBy(() -> insertRequest(PrefixedId.next(PrefixedId.APPROVAL), invocation, "org_a"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        assertThatThrownBy(() -> insertRequest(PrefixedId.next(PrefixedId.APPROVAL), PrefixedId.next(PrefixedId.INVOCATION), null))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23502"));
    }

    @Test
    void pendingRequestsAndTheSharedEventTablesAreIndexed() throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (Connection db = connect(); Statement query = db.createStatement();
                ResultSet rows = query.executeQuery("select indexname from pg_indexes where schemaname = 'public'")) {
            while (rows.next()) {
                indexes.add(rows.getString(1));
            }
        }
        assertThat(indexes).contains("approval_request_pending", "approval_link_request", "outbox_event_pending",
                "outbox_event_published", "processed_event_age");
    }

    private static void insertRequest(String id, String invocation, String org) throws SQLException {
        try (Connection db = connect(); PreparedStatement insert = db.prepareStatement("""
                insert into approval_request (id, organization_id, agent_id, invocation_id, requested_by, status, created_at)
                values (?, ?, 'agt_1', ?, 'u1', 'pending', ?)""")) {
            insert.setString(1, id);
            insert.setString(2, org);
            insert.setString(3, invocation);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private static Connection connect() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("approval");
    }
}
