-- /hotspots at 1,000,000 cases: mostly the 12-month period, some with a compound opened,
-- some other periods. The session cookie comes from run_hotspots.sh (BENCH_COOKIE).
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

local periods = {"month", "3", "6"}

-- 70 % the 12-month grid, 20 % with one of the compounds opened, 10 % another period.
request = function()
  local r = math.random(1, 10)
  local path
  if r <= 7 then
    path = "/hotspots?period=12"
  elseif r <= 9 then
    path = "/hotspots?period=12&compound=" .. math.random(1, 10)
  else
    path = "/hotspots?period=" .. periods[math.random(#periods)]
  end
  return wrk.format("GET", path)
end
