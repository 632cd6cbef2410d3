-- The retention purge (io.kaizen.lineage.service.LineageRetention) finds rows older than the retention across
-- organisations.
create index lineage_request_time on lineage_record (request_timestamp);
