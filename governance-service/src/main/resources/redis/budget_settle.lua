-- Settles one reservation on every tally of one scope, exactly once.
-- KEYS[1]        settled marker of the reservation ('S' once settled, 'C' once a swept settlement was corrected)
-- KEYS[2..]      tally hashes of the reservation's own periods
-- ARGV[1]        reservation id
-- ARGV[2]        actual cost in micro-USD
-- ARGV[3]        executions to add (1)
-- ARGV[4]        TTL of the marker in seconds
-- A reservation already marked changes nothing (duplicated settlements). A tally that does not hold the
-- reservation (it was rebuilt from a ledger that did not have it yet) only gets the cost. A missing tally is
-- skipped: it is rebuilt from the ledger, which already holds this settlement.
-- Returns {applied (0 = already settled), tally_present_1, ...}.
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
local id = 'r:' .. ARGV[1]
local out = {1}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local est = redis.call('HGET', KEYS[i], id)
    if est then
      redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(est))
      redis.call('HINCRBY', KEYS[i], 'rcount', -1)
      redis.call('HDEL', KEYS[i], id)
    end
    redis.call('HINCRBY', KEYS[i], 'spent', tonumber(ARGV[2]))
    redis.call('HINCRBY', KEYS[i], 'count', tonumber(ARGV[3]))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
redis.call('SET', KEYS[1], 'S', 'EX', tonumber(ARGV[4]))
return out
