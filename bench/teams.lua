-- The signed-in team list: pages 1..20 mostly, with some searches and skill filters.
-- The session cookie comes from run.sh (BENCH_COOKIE), made by signing in once with curl.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local searches = {"首华", "师傅", "物业", "海淀", "王伟", "drain", "0042", "138"}
local skills = {"drain", "plumbing", "electrics", "trees", "paving", "cleaning", "moving"}

-- 70 % plain pages 1..20, 10 % a search, 20 % a skill filter on pages 1..5.
request = function()
  local r = math.random(1, 10)
  local path
  if r <= 7 then
    path = "/teams/?page=" .. math.random(1, 20)
  elseif r == 8 then
    path = "/teams/?q=" .. encode(searches[math.random(#searches)])
  else
    path = "/teams/?skill=" .. skills[math.random(#skills)] .. "&page=" .. math.random(1, 5)
  end
  return wrk.format("GET", path)
end
