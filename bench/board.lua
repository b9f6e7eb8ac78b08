-- The dispatch board at 1,000,000 cases: pages 1..20 mostly, some filters and searches.
-- The session cookie comes from run_board.sh (BENCH_COOKIE), made by signing in once with curl.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local searches = {"下水道", "漏水", "王阿姨", "#123456", "13912345678", "暖气"}
local statuses = {"overdue", "all", "closed", "in_progress", "received", "dispatched"}
local categories = {"drain", "plumbing", "electrics", "trees", "paving", "cleaning"}
local channels = {"phone", "walk_in", "hotline_12345", "wechat", "patrol", "online"}

-- 60 % plain pages 1..20 (open cases, the default view), 10 % a search, 30 % a filter.
request = function()
  local r = math.random(1, 10)
  local path
  if r <= 6 then
    path = "/cases?page=" .. math.random(1, 20)
  elseif r == 7 then
    path = "/cases?q=" .. encode(searches[math.random(#searches)])
  elseif r == 8 then
    path = "/cases?status=" .. statuses[math.random(#statuses)] .. "&page=" .. math.random(1, 5)
  elseif r == 9 then
    path = "/cases?category=" .. categories[math.random(#categories)] .. "&status=all&page=" ..
           math.random(1, 5)
  else
    path = "/cases?channel=" .. channels[math.random(#channels)] .. "&since=2026-01-01&page=" ..
           math.random(1, 3)
  end
  return wrk.format("GET", path)
end
