-- Stages one page of a tally rebuild's outstanding reservations beside each tally, in its staging hash (the
-- tally's key with ':build', the same hash tag), so that a scope holding hundreds of thousands of reservations is
-- rebuilt in pages of bounded size instead of in one call whose arguments would not fit in the service's heap.
-- budget_init.lua then turns each staging hash into its tally.
-- KEYS[1..n]     staging hashes
-- ARGV[1]        n
-- ARGV[2]        TTL (s) of the staging hashes, renewed by every page (a rebuild starts by deleting them: one that
--                died half-way left its pages behind)
-- then for each staging hash i: m, then m pairs of reservation id and estimate (micro-USD)
-- `reserved` and `rcount` are added up as the r:<id> fields are written, so they match the fields held.
local n = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local a = 3
for i = 1, n do
  local m = tonumber(ARGV[a])
  a = a + 1
  if m > 0 then
    for j = 0, m - 1 do
      -- the estimate as given, never a Lua number: a sum of large ones would be formatted as 1e+15
      local est = ARGV[a + 2 * j + 1]
      redis.call('HSET', KEYS[i], 'r:' .. ARGV[a + 2 * j], est)
      redis.call('HINCRBY', KEYS[i], 'reserved', est)
    end
    redis.call('HINCRBY', KEYS[i], 'rcount', m)
    redis.call('EXPIRE', KEYS[i], ttl)
  end
  a = a + 2 * m
end
return n
