-- EventRetention deletes published outbox rows and old processed-event records by age.
create index outbox_event_published on outbox_event (published_at) where published_at is not null;
create index processed_event_age on processed_event (processed_at);
