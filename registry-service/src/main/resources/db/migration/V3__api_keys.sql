-- API keys: only the SHA-256 of a key and its display prefix are kept; the key itself is shown once and forgotten.
create table api_key (
    id              varchar(64)  primary key,
    organization_id varchar(255) not null,
    team_id         varchar(255),
    name            varchar(100) not null,
    prefix          varchar(16)  not null,
    key_hash        char(64)     not null,
    scopes          text         not null,
    created_by      varchar(255) not null,
    created_at      timestamptz  not null,
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by      varchar(255)
);
-- every authenticated request looks its key up by hash
create unique index api_key_hash on api_key (key_hash);
create index api_key_org on api_key (organization_id, created_at desc, id desc);
