-- The dashboard at 1,000,000 cases: a month of the last 12, for admin also a community.
-- BENCH_COOKIE from run_dashboard.sh; BENCH_MONTHS "2026-01 2026-02 ..."; BENCH_COMMUNITIES "1 2 ..".
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

local function words(s)
  local out = {}
  for w in string.gmatch(s or "", "%S+") do out[#out + 1] = w end
  return out
end
local months = words(os.getenv("BENCH_MONTHS"))
local communities = words(os.getenv("BENCH_COMMUNITIES"))

request = function()
  local path = "/dashboard/"
  local r = math.random(1, 10)
  if r > 4 and #months > 0 then
    path = path .. "?month=" .. months[math.random(#months)]
    if #communities > 0 then
      path = path .. "&community=" .. communities[math.random(#communities)]
    end
  end
  return wrk.format("GET", path)
end
