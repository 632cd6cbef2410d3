-- One lineage row per invocation, whatever its outcome, merged from the invocation's events
-- (io.kaizen.lineage.service.LineageService): status_rank is the rank of the event that set the status, so an
-- earlier event arriving late fills gaps but never takes the status back.
alter table lineage_record
    add column external_user_role      varchar(255),
    add column external_agent_version  varchar(64),
    add column request_headers         text,
    add column matched_policy_id       varchar(64),
    add column budget_remaining_before numeric(18, 6),
    add column budget_remaining_after  numeric(18, 6),
    add column rate_limit_remaining    bigint,
    add column approval_id             varchar(64),
    add column approval_status         varchar(32),
    add column input_tokens            bigint,
    add column output_tokens           bigint,
    add column delivery_status         varchar(32),
    add column status_rank             smallint not null default 3,
    add column updated_at              timestamptz;

-- Lists and exports page by keyset on (request_timestamp, invocation_id), newest first, so the time is never null.
update lineage_record set request_timestamp = created_at where request_timestamp is null;
alter table lineage_record alter column request_timestamp set not null;
drop index lineage_org_time;
create index lineage_org_time on lineage_record (organization_id, request_timestamp desc, invocation_id desc);
create index lineage_agent on lineage_record (organization_id, external_agent_id, request_timestamp desc);
create index lineage_email on lineage_record (organization_id, lower(external_user_email));
