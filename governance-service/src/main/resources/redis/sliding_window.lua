-- Sliding-window rate limit over several windows and keys in one atomic step.
-- KEYS[k]  sorted sets of admitted calls (score = admission time in ms): the agent's, and optionally the
--          agent+user's; all hash-tagged by agent so one script may touch them on Redis Cluster
-- ARGV[1]  unique member for this call (the decision id); empty = only read the windows, admit nothing
-- ARGV[3w-1], ARGV[3w], ARGV[3w+1]  key index, window length in ms and limit of window w
-- Admits the call only when every window still has room, so concurrent callers and replicas never exceed a
-- limit; only admitted calls are recorded. Returns {denied_window_index (0 = admitted), now_ms, count_1,
-- oldest_1, count_2, oldest_2, ...} where count_w includes this call when admitted and oldest_w is the score of
-- the oldest call in window w (-1: none).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windows = (#ARGV - 1) / 3
local longest = {}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w - 1])
  local len = tonumber(ARGV[3 * w])
  if not longest[k] or len > longest[k] then longest[k] = len end
end
for k, len in pairs(longest) do
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - len)
end

local denied = 0
local counts = {}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w - 1])
  local len = tonumber(ARGV[3 * w])
  local limit = tonumber(ARGV[3 * w + 1])
  local count = redis.call('ZCOUNT', KEYS[k], '(' .. (now - len), '+inf')
  counts[w] = count
  if denied == 0 and count >= limit then denied = w end
end
if denied == 0 and ARGV[1] ~= '' then
  for k, len in pairs(longest) do
    redis.call('ZADD', KEYS[k], now, ARGV[1])
    redis.call('PEXPIRE', KEYS[k], len)
  end
  for w = 1, windows do counts[w] = counts[w] + 1 end
end

local result = {denied, now}
for w = 1, windows do
  local k = tonumber(ARGV[3 * w - 1])
  local len = tonumber(ARGV[3 * w])
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[k], '(' .. (now - len), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  result[#result + 1] = counts[w]
  result[#result + 1] = oldest[2] and tonumber(oldest[2]) or -1
end
return result
