-- Organisation webhooks (service.Webhooks) and the link from each of their deliveries to the webhook and event.
create table webhook (
    id                   varchar(64)   primary key,
    organization_id      varchar(255)  not null,
    name                 varchar(100)  not null,
    -- may embed the receiver's own secret: never logged, answered masked
    url                  text          not null,
    description          varchar(1000),
    -- the subscribed names of the catalogue (service.WebhookEvents), space-separated, wildcards kept as given
    events               varchar(4000) not null,
    -- standard (Standard Webhooks headers) or legacy (X-Webhook-Signature over timestamp and body)
    signing              varchar(16)   not null,
    -- the whsec_ secret, AES-256-GCM under kaizen.webhooks.encryption-key (service.WebhookSecrets); never answered
    -- after creation or rotation
    secret_ciphertext    text          not null,
    status               varchar(16)   not null,
    -- final delivery outcomes that failed since the last success; at kaizen.webhooks.disable-after it is disabled
    consecutive_failures integer       not null default 0,
    disabled_at          timestamptz,
    last_delivery_at     timestamptz,
    created_by           varchar(255),
    created_at           timestamptz   not null,
    updated_at           timestamptz   not null
);
create index webhook_organization on webhook (organization_id, created_at desc);

create table webhook_delivery (
    delivery_id varchar(64)  primary key references delivery (id) on delete cascade,
    webhook_id  varchar(64)  not null references webhook (id) on delete cascade,
    event_id    varchar(64)  not null,
    event_type  varchar(128) not null
);
create index webhook_delivery_webhook on webhook_delivery (webhook_id);
