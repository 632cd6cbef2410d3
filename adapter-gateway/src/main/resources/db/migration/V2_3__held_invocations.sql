-- A call held for a human decision (DESIGN §3 step 5): what executing it later needs. Its invocation row says
-- 'pending_approval' meanwhile; this row goes when the approval's outcome is taken up. request is the invoke body
-- (input, context, metadata, callback_url) and caller who called and from where, both JSON; held_event is the
-- invocation.held event, the template of the event that ends the call if it is never executed.
create table held_invocation (
    invocation_id        varchar(64)   primary key,
    approval_request_id  varchar(64)   not null,
    organization_id      varchar(255)  not null,
    agent_id             varchar(64)   not null,
    request              text          not null,
    caller               text          not null,
    span_id              varchar(32)   not null,
    held_event           text          not null,
    held_at              timestamptz   not null
);
create index held_invocation_approval on held_invocation (approval_request_id);
