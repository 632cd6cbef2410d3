-- The trace context of the request that wrote an event, published with it as the CloudEvents distributed-tracing
-- extension (ce_traceparent, ce_tracestate) so that its consumers continue that trace.
alter table outbox_event add column traceparent varchar(55);
alter table outbox_event add column tracestate varchar(512);
