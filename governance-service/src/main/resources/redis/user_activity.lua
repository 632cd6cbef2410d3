-- Counts a user's earlier decisions for one agent inside a window and records this one (the per-user rate
-- approval trigger).
-- KEYS[1]  sorted set of the user's decisions for the agent (score = time in ms), hash-tagged by agent
-- ARGV[1]  unique member for this decision; ARGV[2] window length in ms
-- Returns the number of earlier decisions inside the window.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local len = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - len)
local prior = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], len)
return prior
