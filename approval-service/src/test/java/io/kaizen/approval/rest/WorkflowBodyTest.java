package io.kaizen.approval.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.common.security.Permissions;

/** The role patterns the documents declare for a workflow are the roles the body's checks take. */
class WorkflowBodyTest {

    @Test
    void theDocumentedRolePatternsNameExactlyTheRolesTheChecksTake() {
        for (String role : Permissions.roles()) {
            assertThat(role).matches(WorkflowBody.ROLE);
            boolean approves = Permissions.forRoles(List.of(role)).contains(Permissions.APPROVALS_APPROVE);
            assertThat(role.matches(WorkflowBody.APPROVING_ROLE)).as(role).isEqualTo(approves);
        }
        assertThat(WorkflowBody.ROLE.split("\\|")).hasSize(Permissions.roles().size());
    }

    @Test
    void theDocumentedApproverPatternTakesWhatTheCheckTakes() {
        for (int c = 1; c <= 0xFFFF; c++) {
            if (!Character.isSurrogate((char) c)) {
                String name = "a" + (char) c;
                boolean taken = !name.isBlank() && name.chars().noneMatch(Character::isISOControl);
                assertThat(name.matches(NotificationChannel.APPROVER)).as("U+%04X", c).isEqualTo(taken);
                String alone = String.valueOf((char) c);
                assertThat(alone.matches(NotificationChannel.APPROVER)).as("U+%04X alone", c)
                        .isEqualTo(!alone.isBlank() && !Character.isISOControl(c));
            }
        }
    }
}
