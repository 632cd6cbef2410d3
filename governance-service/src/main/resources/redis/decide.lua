-- One decision on an agent's own scope in one atomic step: rate windows, then budget tallies, then, when both admit
-- the call, the hold on the tallies and the reservation's ledger row on the agent's journal stream. Every key is
-- hash-tagged by the agent, so the step is atomic on Redis Cluster too, and a hold never exists without its row.
-- KEYS[1..r]         sorted sets of admitted calls (score = admission time in ms): the agent's, optionally the
--                    agent+user's
-- KEYS[r+1..r+n]     budget tally hashes {spent, reserved, count, rcount, r:<reservation id> ...} (as budget_reserve.lua)
-- KEYS[r+n+1]        the agent's journal stream
-- ARGV[1]            r, the number of rate keys
-- ARGV[2]            the decision id, the call's member in the rate windows; empty = only read the windows (no
--                    tally keys then): admit nothing, return after them (governance status)
-- ARGV[3]            w, the number of windows; then ARGV[3w+1..3w+3]: key index, window length in ms and limit
-- then               reservation id, estimate in micro-USD, 1 = hard enforcement (0 = soft), and per tally its USD
--                    limit and execution limit (-1 = unlimited) and its rollover cap (micro-USD, 0 = no rollover)
-- last ARGV          the reservation's journal entry (JSON), appended only when the call is admitted
-- Returns {-1, i} when tally i is missing, before anything changed (the caller rebuilds it from the ledger and runs
-- the script again, so a rate slot is never taken twice). Otherwise {denied_window (0 = admitted), now_ms,
-- count_1, oldest_1, ...} (count_w includes this call when admitted; oldest_w is the score of the oldest call
-- in window w, -1: none), followed, when the rate windows admitted the call, by
-- {admitted, exceeded_tally, exceeded_kind, spent_1, reserved_1, count_1, rcount_1, ...} as budget_reserve.lua, then
-- the rollover added to each tally's USD limit {rollover_1, ...}.
-- A tally's `carry` field is the unused USD of its previous period (set when the tally is built); a limited USD line
-- admits up to limit + min(carry, cap). The cap comes with each call, so changing it applies at once.
-- A budget denial keeps the rate slot: rate limits count attempts that passed them (increment first).
local r = tonumber(ARGV[1])
local windows = tonumber(ARGV[3])
local b = 4 + 3 * windows
local n = #KEYS - r - 1
local journal = KEYS[#KEYS]

local state = {}
for i = 1, n do
  local v = redis.call('HMGET', KEYS[r + i], 'spent', 'reserved', 'count', 'rcount', 'carry')
  if not v[1] then return {-1, i} end
  state[i] = {tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), tonumber(v[4]), tonumber(v[5] or '0')}
end

-- rate windows
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local longest = {}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w + 1])
  local len = tonumber(ARGV[3 * w + 2])
  if not longest[k] or len > longest[k] then longest[k] = len end
end
for k, len in pairs(longest) do
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - len)
end
local denied = 0
local counts = {}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w + 1])
  local len = tonumber(ARGV[3 * w + 2])
  local limit = tonumber(ARGV[3 * w + 3])
  local count = redis.call('ZCOUNT', KEYS[k], '(' .. (now - len), '+inf')
  counts[w] = count
  if denied == 0 and count >= limit then denied = w end
end
if denied == 0 and ARGV[2] ~= '' then
  for k, len in pairs(longest) do
    redis.call('ZADD', KEYS[k], now, ARGV[2])
    redis.call('PEXPIRE', KEYS[k], len)
  end
  for w = 1, windows do counts[w] = counts[w] + 1 end
end
local out = {denied, now}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w + 1])
  local len = tonumber(ARGV[3 * w + 2])
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[k], '(' .. (now - len), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  out[#out + 1] = counts[w]
  out[#out + 1] = oldest[2] and tonumber(oldest[2]) or -1
end
if denied > 0 or ARGV[2] == '' then return out end

-- budget tallies
local id = 'r:' .. ARGV[b]
local est = tonumber(ARGV[b + 1])
local over, kind = 0, 0
local rollover = {}
for i = 1, n do
  local limit = tonumber(ARGV[b + 3 * i])
  rollover[i] = 0
  if limit >= 0 then
    rollover[i] = math.min(state[i][5], tonumber(ARGV[b + 3 * i + 2]))
    limit = limit + rollover[i]
  end
  if over == 0 and limit >= 0 and state[i][1] + state[i][2] + est > limit then over, kind = i, 1 end
end
for i = 1, n do
  local limit = tonumber(ARGV[b + 3 * i + 1])
  if over == 0 and limit >= 0 and state[i][3] + state[i][4] + 1 > limit then over, kind = i, 2 end
end
local admitted = 1
if over > 0 and ARGV[b + 2] == '1' then
  admitted = 0
else
  for i = 1, n do
    redis.call('HINCRBY', KEYS[r + i], 'reserved', est)
    redis.call('HINCRBY', KEYS[r + i], 'rcount', 1)
    redis.call('HSET', KEYS[r + i], id, est)
    state[i][2] = state[i][2] + est
    state[i][4] = state[i][4] + 1
  end
  redis.call('XADD', journal, '*', 'e', ARGV[#ARGV])
end
out[#out + 1] = admitted
out[#out + 1] = over
out[#out + 1] = kind
for i = 1, n do
  for j = 1, 4 do out[#out + 1] = state[i][j] end
end
for i = 1, n do out[#out + 1] = rollover[i] end
return out
