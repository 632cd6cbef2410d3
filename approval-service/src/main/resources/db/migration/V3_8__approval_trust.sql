-- Numbered after V3_1 (approval timers): a database already migrated to 3.1 applies it in order.

-- The user who created the API key a request was made with: an approver is "self" when they are the requester or
-- the owner of the requester's key (docs/approvals.md, self-approval).
alter table approval_request add column requested_by_owner varchar(255);

-- Every held call a request decides is shown to the approvers with its own reasons, cost and masked input: a call
-- that joins a pending request is not run on the strength of another call's summary.
alter table approval_invocation
    add column trigger_reason   text,
    add column estimated_cost   numeric(18, 6),
    add column payload_summary  text,
    add column held_at          timestamptz;

-- The owner of the API key an approver decided with: one person approving with their key and without counts once.
alter table approval_decision add column approver_owner varchar(255);
