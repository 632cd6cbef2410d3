-- What a call is charged when its agent reports no cost (the agent's cost_per_execution when it was reserved),
-- and whether the sweeper settled the reservation at its estimate (a late real settlement then corrects it).
alter table budget_reservation
    add column configured_cost_usd numeric(18, 6),
    add column swept               boolean not null default false;
create index budget_reservation_by_invocation on budget_reservation (invocation_id);

-- Invocations the gateway refused without knowing governance's decision (it timed out waiting): a reservation
-- that governance commits for one of them afterwards is released, not charged. Kept for a while, then purged.
create table refused_invocation (
    invocation_id varchar(64) primary key,
    refused_at    timestamptz not null
);
create index refused_invocation_by_age on refused_invocation (refused_at);
