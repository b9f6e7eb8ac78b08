-- Open311 GET requests.json at 1,000,000 cases with the standard filters: service codes, status,
-- dates (W3C), ids, and the page extension. No key, no cookie: the public read.
math.randomseed(os.time())

local codes = {"drain", "plumbing", "electrics", "trees", "paving", "cleaning", "bikes"}
local statuses = {"open", "closed", "open,closed"}

local function day(days_ago)
  return os.date("!%Y-%m-%dT00:00:00Z", os.time() - days_ago * 86400)
end

-- 30 % a service code, 20 % a status, 15 % both, 15 % a window (start and end, W3C), 10 % a
-- later page of the default window, 10 % three ids.
request = function()
  local r = math.random(1, 20)
  local path = "/open311/v2/requests.json?"
  if r <= 6 then
    path = path .. "service_code=" .. codes[math.random(#codes)]
  elseif r <= 10 then
    path = path .. "status=" .. statuses[math.random(#statuses)]
  elseif r <= 13 then
    path = path .. "service_code=" .. codes[math.random(#codes)] .. "," .. codes[math.random(#codes)]
           .. "&status=" .. statuses[math.random(2)]
  elseif r <= 16 then
    local ago = math.random(30, 1500)
    path = path .. "start_date=" .. day(ago) .. "&end_date=" .. day(ago - math.random(1, 89))
  elseif r <= 18 then
    path = path .. "page=" .. math.random(2, 20)
  else
    local id = math.random(1, 999000)
    path = path .. "service_request_id=" .. id .. "," .. (id + 7) .. "," .. (id + 500)
  end
  return wrk.format("GET", path)
end
