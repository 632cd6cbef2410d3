-- The time of the newest agent.* event applied to the row: an older event arriving later is ignored.
alter table agent_governance add column agent_event_at timestamptz;
