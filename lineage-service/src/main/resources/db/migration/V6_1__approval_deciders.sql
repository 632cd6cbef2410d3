-- The people who decided an invocation's approval request (approvers and rejecters, ids as approval-service names
-- them), as a JSON array text, merged from kaizen.approvals.v1 (io.kaizen.lineage.service.LineageService). Personal
-- data: DELETE /api/v1/lineage/users/{email} replaces the person's entries with [REDACTED].
alter table lineage_record add column approval_deciders text;
