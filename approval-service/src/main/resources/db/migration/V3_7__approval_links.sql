-- Where approver notifications go: a JSON array of channels ({type, to, agent_id, url, approver}). A request keeps
-- the channels of the workflow it was opened under, like its approvers.
alter table approval_workflow add column notification_channels text not null default '[]';
alter table approval_request add column notification_channels text not null default '[]';

-- The links to the approver page sent in notifications. A link decides once: used_at is set in the transaction of the
-- decision it carried, under the row's lock.
create table approval_link (
    id          varchar(64)   primary key,
    request_id  varchar(64)   not null references approval_request (id),
    recipient   varchar(255)  not null,
    created_at  timestamptz   not null,
    expires_at  timestamptz   not null,
    used_at     timestamptz
);
create index approval_link_request on approval_link (request_id);
