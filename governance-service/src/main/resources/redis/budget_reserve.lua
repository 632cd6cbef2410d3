-- Reserves an estimated cost against every budget tally of one scope in one atomic step.
-- KEYS[1..n]     tally hashes {spent, reserved, count, rcount, r:<reservation id> ...} (micro-USD and executions),
--                hash-tagged by scope; each outstanding reservation is a field r:<id> holding its estimate, so a
--                tally and the reservations it holds are one structure, replaced as a whole when rebuilt
-- ARGV[1]        reservation id
-- ARGV[2]        estimate in micro-USD
-- ARGV[3]        1 = hard enforcement (deny past a limit), 0 = soft (reserve anyway, report the limit)
-- ARGV[2i+2], ARGV[2i+3]  USD limit (micro-USD) and execution limit of tally i; -1 = unlimited
-- spent + reserved + estimate <= limit passes. Checks run USD limits first, then execution limits, each in
-- tally order. Returns {-1, i} when tally i is missing (the caller rebuilds it from the ledger and retries),
-- else {admitted, exceeded_tally (0 = none), exceeded_kind (1 = USD, 2 = executions),
-- spent_1, reserved_1, count_1, rcount_1, ...} with the values after this step.
local id = 'r:' .. ARGV[1]
local est = tonumber(ARGV[2])
local n = #KEYS
local state = {}
-- the estimate a tally already holds for this reservation, or false: a rebuild of the organisation's tally counts
-- every reservation the ledger holds, and a reservation is journaled (on its agent's side) before it is held here,
-- so a rebuild by a concurrent decision may have counted this one already; it is then checked as it stands and not
-- held twice
local held = {}
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved', 'count', 'rcount', id)
  if not v[1] then return {-1, i} end
  state[i] = {tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), tonumber(v[4])}
  held[i] = v[5] and tonumber(v[5])
end

local over, kind = 0, 0
for i = 1, n do
  local limit = tonumber(ARGV[2 * i + 2])
  local adds = held[i] and 0 or est
  if over == 0 and limit >= 0 and state[i][1] + state[i][2] + adds > limit then over, kind = i, 1 end
end
for i = 1, n do
  local limit = tonumber(ARGV[2 * i + 3])
  local adds = held[i] and 0 or 1
  if over == 0 and limit >= 0 and state[i][3] + state[i][4] + adds > limit then over, kind = i, 2 end
end

local admitted = 1
if over > 0 and ARGV[3] == '1' then
  admitted = 0
  -- refused: a hold a rebuild counted goes with the refusal (the decision releases the reservation)
  for i = 1, n do
    if held[i] then
      redis.call('HINCRBY', KEYS[i], 'reserved', -held[i])
      redis.call('HINCRBY', KEYS[i], 'rcount', -1)
      redis.call('HDEL', KEYS[i], id)
      state[i][2] = state[i][2] - held[i]
      state[i][4] = state[i][4] - 1
    end
  end
else
  for i = 1, n do
    if not held[i] then
      redis.call('HINCRBY', KEYS[i], 'reserved', est)
      redis.call('HINCRBY', KEYS[i], 'rcount', 1)
      redis.call('HSET', KEYS[i], id, est)
      state[i][2] = state[i][2] + est
      state[i][4] = state[i][4] + 1
    end
  end
end

local out = {admitted, over, kind}
for i = 1, n do
  for j = 1, 4 do out[#out + 1] = state[i][j] end
end
return out
