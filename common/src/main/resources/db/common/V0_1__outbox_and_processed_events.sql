-- Shared by every service: the transactional outbox and the processed-events table of idempotent consumers.
create table outbox_event (
    id              varchar(64)  primary key,
    topic           varchar(255) not null,
    event_key       varchar(255),
    type            varchar(255) not null,
    source          varchar(255) not null,
    subject         varchar(255),
    organization_id varchar(255),
    occurred_at     timestamptz  not null,
    payload         text         not null,
    published_at    timestamptz,
    attempts        integer      not null default 0,
    last_error      text
);
create index outbox_event_pending on outbox_event (occurred_at, id) where published_at is null;

create table processed_event (
    consumer     varchar(100) not null,
    event_id     varchar(64)  not null,
    processed_at timestamptz  not null,
    primary key (consumer, event_id)
);
