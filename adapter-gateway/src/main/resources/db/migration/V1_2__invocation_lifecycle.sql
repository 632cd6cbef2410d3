-- An invocation is stored as 'accepted' before its agent is called, so a gateway that stops mid-call still leaves a
-- trace; its final state replaces the row. An accepted row past its deadline is closed as failed, with the event
-- prepared for that case (pending_event), by InvocationSweep.
alter table invocation
    add column mode          varchar(8)   not null default 'sync',
    add column output        text,
    add column error_message varchar(500),
    add column deadline      timestamptz,
    add column pending_event text;
create index invocation_overdue on invocation (deadline) where status = 'accepted';
