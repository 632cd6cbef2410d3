package io.kaizen.approval.rest;

import jakarta.validation.constraints.Size;

/** Body of approve and reject: the approver's reason (required to reject), at most 1000 characters. */
public record DecisionBody(@Size(max = 1000, message = "reason must be at most 1000 characters") String reason) {
}
