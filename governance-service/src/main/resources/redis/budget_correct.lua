-- Corrects a settlement made without the real cost (the sweeper settled a reservation at its estimate) once the
-- real outcome arrives, exactly once.
-- KEYS[1]        settled marker of the reservation: 'C' once corrected
-- KEYS[2..]      tally hashes of the reservation's own periods
-- ARGV[1]        micro-USD to add to spent (negative when the real cost was lower)
-- ARGV[2]        executions to add (-1 when the call never happened)
-- ARGV[3]        TTL of the marker in seconds
-- A missing tally is skipped: it is rebuilt from the ledger, which already holds the correction.
-- Returns 1 when applied, 0 when already applied.
if redis.call('GET', KEYS[1]) == 'C' then return 0 end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HINCRBY', KEYS[i], 'spent', tonumber(ARGV[1]))
    redis.call('HINCRBY', KEYS[i], 'count', tonumber(ARGV[2]))
  end
end
redis.call('SET', KEYS[1], 'C', 'EX', tonumber(ARGV[3]))
return 1
