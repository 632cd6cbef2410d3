-- Recreates missing budget tallies from the ledger (after a Redis restart or flush, a tally dropped to be
-- resynchronised, or when a period begins), from their staging hashes (budget_stage.lua: the outstanding
-- reservations, staged in pages) and the ledger's settled values.
-- KEYS[1..n]     tally hashes
-- KEYS[n+1..2n]  their staging hashes
-- ARGV[1]        n
-- then for each tally i: spent, count, TTL (s), carry (the unused micro-USD of the previous period, before any cap)
-- A tally is created whole, in one step (RENAME): settled values plus exactly the ledger's outstanding reservations
-- of its period, so `reserved` and `rcount` always match the r:<id> fields it holds. A reservation still in flight
-- (reserved in Redis, not yet in the ledger) is not held by the rebuilt tally; its settlement then only adds its
-- cost, and it never subtracts an estimate the tally does not hold. A tally that exists is left alone (another
-- replica rebuilt it first, or it is live) and its staging hash dropped.
-- Returns the number of tallies created.
local n = tonumber(ARGV[1])
local a = 2
local created = 0
for i = 1, n do
  local spent, count, ttl, carry = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3]
  a = a + 4
  local staged = KEYS[n + i]
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', staged, 'spent', spent, 'count', count, 'carry', carry)
    redis.call('HSETNX', staged, 'reserved', 0)
    redis.call('HSETNX', staged, 'rcount', 0)
    redis.call('RENAME', staged, KEYS[i])
    redis.call('EXPIRE', KEYS[i], ttl)
    created = created + 1
  else
    redis.call('DEL', staged)
  end
end
return created
