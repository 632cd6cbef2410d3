-- Recreates missing budget tallies from the ledger (after a Redis restart or flush, a tally dropped to be
-- resynchronised, or when a period begins).
-- KEYS[1..n]     tally hashes
-- ARGV[1]        n
-- then for each tally i: spent, count, TTL (s), carry (the unused micro-USD of the previous period, before any cap),
-- m (its outstanding reservations), then m pairs of reservation id and estimate (micro-USD)
-- A tally is created whole: settled values plus exactly the ledger's outstanding reservations of its period, so
-- `reserved` and `rcount` always match the r:<id> fields it holds. A reservation still in flight (reserved in
-- Redis, not yet in the ledger) is not held by the rebuilt tally; its settlement then only adds its cost, and it
-- never subtracts an estimate the tally does not hold. A tally that exists is left alone (another replica rebuilt
-- it first, or it is live).
-- Returns the number of tallies created.
local n = tonumber(ARGV[1])
local a = 2
local created = 0
for i = 1, n do
  local spent, count, ttl, carry, m = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4])
  a = a + 5
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local reserved = 0
    for j = 0, m - 1 do
      local id, est = ARGV[a + 2 * j], tonumber(ARGV[a + 2 * j + 1])
      redis.call('HSET', KEYS[i], 'r:' .. id, est)
      reserved = reserved + est
    end
    redis.call('HSET', KEYS[i], 'spent', spent, 'reserved', reserved, 'count', count, 'rcount', m, 'carry', carry)
    redis.call('EXPIRE', KEYS[i], ttl)
    created = created + 1
  end
  a = a + 2 * m
end
return created
