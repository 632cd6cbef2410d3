-- Escalation, reminders and auto-approval of trusted requesters. Lists are JSON arrays of text, as in V2.
alter table approval_workflow
    add column escalate_after_minutes    integer,
    add column escalation_roles          text     not null default '[]',
    add column escalation_users          text     not null default '[]',
    add column reminder_interval_minutes integer  not null default 240,
    add column max_reminders             integer  not null default 3,
    add column auto_approve_roles        text     not null default '[]',
    add column auto_approve_users        text     not null default '[]';

-- A request keeps the escalation and reminders of the workflow it was opened under. Each timer's due time is a
-- column (escalate_at, next_reminder_at, and expires_at of V1), so timers survive restarts, and every replica claims
-- due rows with FOR UPDATE SKIP LOCKED in the transaction that acts on them, so each fires once.
alter table approval_request
    add column escalation_roles          text         not null default '[]',
    add column escalation_users          text         not null default '[]',
    add column escalate_at               timestamptz,
    add column escalated_at              timestamptz,
    add column reminder_interval_minutes integer,
    add column max_reminders             integer      not null default 0,
    add column reminders_sent            integer      not null default 0,
    add column next_reminder_at          timestamptz;

-- An escalated request is still undecided: the expiry timer takes it as it takes a pending one.
drop index approval_request_due;
create index approval_request_due on approval_request (expires_at) where status in ('pending', 'escalated');
create index approval_request_escalation_due on approval_request (escalate_at)
    where status = 'pending' and escalate_at is not null;
create index approval_request_reminder_due on approval_request (next_reminder_at)
    where status in ('pending', 'escalated') and next_reminder_at is not null;
drop index approval_request_pending;
create index approval_request_pending on approval_request (organization_id, agent_id)
    where status in ('pending', 'escalated');
