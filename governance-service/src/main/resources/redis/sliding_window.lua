-- Sliding-window rate limit over several windows in one atomic step.
-- KEYS[1]  sorted set of admitted calls of one agent (score = admission time in ms), hash-tagged by agent
-- ARGV[1]  unique member for this call (the decision id)
-- ARGV[2k], ARGV[2k+1]  window length in ms and its limit, for each window
-- Admits the call only when every window still has room, so concurrent callers and replicas never exceed a
-- limit. Returns {denied_window_index (0 = admitted), now_ms, count_1, oldest_1, count_2, oldest_2, ...} where
-- count_i includes this call when admitted and oldest_i is the score of the oldest call in window i (-1: none).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windows = (#ARGV - 1) / 2
local longest = 0
for i = 1, windows do
  local w = tonumber(ARGV[2 * i])
  if w > longest then longest = w end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)

local denied = 0
local counts = {}
for i = 1, windows do
  local w = tonumber(ARGV[2 * i])
  local limit = tonumber(ARGV[2 * i + 1])
  local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - w), '+inf')
  counts[i] = count
  if denied == 0 and count >= limit then denied = i end
end
if denied == 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], longest)
  for i = 1, windows do counts[i] = counts[i] + 1 end
end

local result = {denied, now}
for i = 1, windows do
  local w = tonumber(ARGV[2 * i])
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - w), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  result[#result + 1] = counts[i]
  result[#result + 1] = oldest[2] and tonumber(oldest[2]) or -1
end
return result
