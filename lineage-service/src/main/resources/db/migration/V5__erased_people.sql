-- The people erased from an organisation's lineage, each as the keyed pseudonyms of their address and external user
-- ids (io.kaizen.lineage.service.ErasedPeople), never the values themselves. An event of an invocation requested
-- before the erasure — redelivered, late or replayed — is stored without the person's personal fields, so an erasure
-- stays done. redacted_id is the [REDACTED-<8 hex>] the person's rows were given.
create table lineage_erasure (
    organization_id varchar(255) not null,
    pseudonym       varchar(68)  not null,
    redacted_id     varchar(32)  not null,
    erased_at       timestamptz  not null,
    primary key (organization_id, pseudonym)
);
