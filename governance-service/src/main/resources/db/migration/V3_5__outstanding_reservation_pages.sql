-- Tally rebuilds read a scope's outstanding reservations a page at a time, in id order after the last one read
-- (keyset), inside the transaction that holds the scope's lock: the id joins the indexes these reads use, so a page
-- is a range of the index however many reservations the scope holds.
drop index budget_reservation_outstanding;
create index budget_reservation_outstanding on budget_reservation (agent_id, month_start, id) where status = 'reserved';
drop index budget_reservation_outstanding_week;
create index budget_reservation_outstanding_week on budget_reservation (agent_id, week_start, id)
    where status = 'reserved';
drop index budget_reservation_outstanding_org;
create index budget_reservation_outstanding_org on budget_reservation (organization_id, month_start, id)
    where status = 'reserved' and org_reserved;
