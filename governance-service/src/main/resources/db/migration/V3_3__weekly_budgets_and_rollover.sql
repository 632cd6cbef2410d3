-- Weekly budget lines, rollover of unused budget, and the organisation's time zone (weeks start on its Monday).
alter table agent_governance
    add column weekly_budget_usd       numeric(18, 6),
    add column weekly_execution_limit  integer,
    add column rollover_unused         boolean,
    add column max_rollover_percentage numeric(5, 4);

alter table organization_governance
    add column time_zone varchar(64);

-- The local Monday of the week a reservation counts against. Rows made before weekly lines existed get the UTC
-- Monday of their day: no weekly tally held them.
alter table budget_reservation add column week_start date;
update budget_reservation set week_start = day_start - (extract(isodow from day_start)::int - 1);
alter table budget_reservation alter column week_start set not null;
create index budget_reservation_outstanding_week on budget_reservation (agent_id, week_start) where status = 'reserved';

-- The unused USD of the previous period carried into this one, before its cap: fixed when the period's tally is
-- first built, so a rebuild after a Redis restart carries the same amount.
alter table budget_total add column carry_usd numeric(18, 6);
