-- The signed-in event list at 100,000 events: the default (not over yet) pages 1..20 mostly,
-- some past pages and kind filters. The session cookie comes from run_events.sh (BENCH_COOKIE).
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

local kinds = {"cleanup", "bike_drive", "recycle_exchange", "notice_distribution", "other"}

-- 70 % upcoming pages 1..20, 15 % past pages 1..20, 15 % a kind filter on pages 1..3.
request = function()
  local r = math.random(1, 20)
  local path
  if r <= 14 then
    path = "/events?page=" .. math.random(1, 20)
  elseif r <= 17 then
    path = "/events?when=past&page=" .. math.random(1, 20)
  else
    path = "/events?kind=" .. kinds[math.random(#kinds)] .. "&page=" .. math.random(1, 3)
  end
  return wrk.format("GET", path)
end
