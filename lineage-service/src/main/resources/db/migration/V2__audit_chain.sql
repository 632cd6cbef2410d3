-- The audit log becomes a hash chain per organisation (io.kaizen.lineage.domain.AuditChain, docs/events.md).
-- Entries written before it carried no event data and cannot be chained faithfully: they stay, unchanged, in
-- audit_event_unchained.
alter table audit_event rename to audit_event_unchained;
alter index audit_event_pkey rename to audit_event_unchained_pkey;
alter index audit_event_org rename to audit_event_unchained_org;
alter index audit_event_subject rename to audit_event_unchained_subject;

-- One record per event of the suite: seq counts 1, 2, 3 … per organisation, and hash covers the record's canonical
-- form, prev_hash (the hash of seq - 1) included. data is the event's data with its personal fields replaced by
-- pseudonyms; agent_id is derived from it for filtering.
create table audit_event (
    organization_id varchar(255) not null,
    seq             bigint       not null,
    event_id        varchar(64)  not null unique,
    type            varchar(255) not null,
    source          varchar(255),
    subject         varchar(255),
    agent_id        varchar(255),
    occurred_at     timestamptz  not null,
    recorded_at     timestamptz  not null,
    data            text,
    prev_hash       varchar(64)  not null,
    hash            varchar(64)  not null,
    primary key (organization_id, seq)
);
create index audit_event_type on audit_event (organization_id, type, seq);
create index audit_event_agent on audit_event (organization_id, agent_id, seq);
create index audit_event_occurred on audit_event (organization_id, occurred_at);
create index audit_event_subject on audit_event (organization_id, subject);

-- The last record of each organisation's chain. Appending locks the organisation's row for the rest of its
-- transaction, so concurrent appenders (consumer replicas) take turns and never fork the chain.
create table audit_chain_head (
    organization_id varchar(255) primary key,
    seq             bigint       not null,
    hash            varchar(64)  not null
);

-- The personal values behind the pseudonyms of audit_event.data, one row per record and field. Outside the chain,
-- so that erasing a person deletes rows here and leaves every hash intact.
create table audit_personal_data (
    organization_id varchar(255) not null,
    seq             bigint       not null,
    field           varchar(64)  not null,
    pseudonym       varchar(68)  not null,
    value           text         not null,
    primary key (organization_id, seq, field)
);
create index audit_personal_pseudonym on audit_personal_data (organization_id, pseudonym);
