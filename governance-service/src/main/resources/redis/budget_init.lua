-- Recreates missing budget tallies from the ledger (after a Redis restart or flush, or when a period begins).
-- KEYS[1..n]     tally hashes; KEYS[n+1..] reservation keys of the ledger's outstanding reservations
-- ARGV[1]        n
-- ARGV[5i-3 .. 5i+1]  spent, reserved, count, rcount and TTL (s) of tally i
-- ARGV[5n+2..]   estimate of each reservation key, then the reservation key TTL last
-- A tally that exists is left alone (another replica rebuilt it first, or it is live). Reservation keys are
-- restored only when every tally was missing: only then do the rebuilt tallies hold those reservations.
-- Returns the number of tallies created.
local n = tonumber(ARGV[1])
local created = 0
for i = 1, n do
  local base = 5 * (i - 1) + 1
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[i], 'spent', ARGV[base + 1], 'reserved', ARGV[base + 2], 'count', ARGV[base + 3],
      'rcount', ARGV[base + 4])
    redis.call('EXPIRE', KEYS[i], tonumber(ARGV[base + 5]))
    created = created + 1
  end
end
if created == n then
  local ttl = tonumber(ARGV[#ARGV])
  for k = n + 1, #KEYS do
    redis.call('SET', KEYS[k], ARGV[5 * n + 1 + (k - n)], 'NX', 'EX', ttl)
  end
end
return created
