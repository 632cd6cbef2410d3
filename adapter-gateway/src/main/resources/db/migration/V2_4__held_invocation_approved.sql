-- An approved call's held row stays until the call is stored as accepted (HeldInvocations.replace) or ended, so a
-- gateway that stops in between leaves it to be taken up again (ApprovalOutcomeConsumer.resumeStranded).
alter table held_invocation add column approved_at timestamptz;
create index held_invocation_approved on held_invocation (approved_at) where approved_at is not null;
