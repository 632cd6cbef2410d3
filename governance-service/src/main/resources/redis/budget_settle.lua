-- Settles (or releases) one reservation on every tally of one scope, exactly once.
-- KEYS[1]        reservation key: the estimate while outstanding, 'S' once settled
-- KEYS[2..]      tally hashes of the reservation's own periods
-- ARGV[1]        actual cost in micro-USD (0 for a release)
-- ARGV[2]        executions to add (1 = settle, 0 = release)
-- ARGV[3]        TTL of the 'S' marker in seconds
-- A reservation already marked 'S' changes nothing (duplicated settlements). A reservation the tallies never
-- held (Redis was flushed and the tally rebuilt before the reservation reached the ledger) only adds the cost.
-- A missing tally is skipped: it is rebuilt from the ledger, which already holds this settlement.
-- Returns {applied (0 = already settled), tally_present_1, ...}.
local v = redis.call('GET', KEYS[1])
if v == 'S' then return {0} end
local est = tonumber(v)
local out = {1}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if est then
      redis.call('HINCRBY', KEYS[i], 'reserved', -est)
      redis.call('HINCRBY', KEYS[i], 'rcount', -1)
    end
    redis.call('HINCRBY', KEYS[i], 'spent', tonumber(ARGV[1]))
    redis.call('HINCRBY', KEYS[i], 'count', tonumber(ARGV[2]))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
redis.call('SET', KEYS[1], 'S', 'EX', tonumber(ARGV[3]))
return out
