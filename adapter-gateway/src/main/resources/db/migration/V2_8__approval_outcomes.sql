-- The outcome of each decided approval request, recorded under the request's advisory lock by the approvals consumer
-- and read under the same lock when a held call is stored: a decision that arrives before its held call's row is
-- committed is acted on when the row is stored, not lost. Rows older than a day are swept (a call is stored within
-- seconds of opening its request).
create table approval_outcome (
    approval_request_id  varchar(64)  primary key,
    status               varchar(16)  not null,
    reason               text,
    recorded_at          timestamptz  not null
);
create index approval_outcome_recorded on approval_outcome (recorded_at);
