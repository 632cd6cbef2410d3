create table external_agent (
    id                    varchar(64)   primary key,
    organization_id       varchar(255)  not null,
    name                  varchar(200)  not null,
    description           varchar(2000),
    platform              varchar(32)   not null,
    endpoint_url          varchar(2048) not null,
    platform_config       text          not null default '{}',
    auth_type             varchar(32)   not null default 'none',
    encrypted_credentials text,
    tags                  text          not null default '[]',
    environment           varchar(32)   not null default 'production',
    timeout_seconds       integer       not null default 30,
    status                varchar(16)   not null default 'active',
    created_by            varchar(255)  not null,
    created_at            timestamptz   not null,
    updated_at            timestamptz
);
-- Names are unique per organisation among agents that are not deleted; the index settles racing creates.
create unique index external_agent_org_name on external_agent (organization_id, lower(name)) where status <> 'deleted';
create index external_agent_org on external_agent (organization_id, created_at);
