-- Gives a reservation back on every tally of one scope: nothing is spent. Removing the reservation's field is
-- what makes a release happen at most once; a tally that does not hold it is left alone.
-- KEYS[1..]      tally hashes of the reservation's own periods
-- ARGV[1]        reservation id
-- Returns the number of tallies that held the reservation.
local id = 'r:' .. ARGV[1]
local released = 0
for i = 1, #KEYS do
  local est = redis.call('HGET', KEYS[i], id)
  if est then
    redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(est))
    redis.call('HINCRBY', KEYS[i], 'rcount', -1)
    redis.call('HDEL', KEYS[i], id)
    released = released + 1
  end
end
return released
