-- The audit log's records are published to kaizen.audit.v1 straight from audit_event
-- (io.kaizen.lineage.messaging.AuditPublisher), no longer through outbox_event: a record is written once, in the
-- transaction that chains it. seq is the last record of the organisation the broker acknowledged; a publisher claims
-- the row FOR UPDATE SKIP LOCKED, sends the records after it in seq order and moves it.
create table audit_publication (
    organization_id varchar(255) primary key,
    seq             bigint       not null
);
-- The records chained before this version were handed to the outbox, whose relay publishes any still pending.
insert into audit_publication (organization_id, seq) select organization_id, seq from audit_chain_head;
