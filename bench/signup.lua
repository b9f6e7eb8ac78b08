-- Sign-ups from many distinct volunteers: each request is one volunteer's POST with their own
-- session cookie and CSRF token (bench/signup_bench.py writes them, one per line:
-- "cookie<TAB>token<TAB>path"). Each wrk thread takes every n-th line, so no volunteer is sent
-- twice unless the list runs out (it is sized for the run). Every DUP-th request repeats an
-- earlier volunteer of the same thread on another role: that must be refused (409).
local lines = {}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  dup_every = tonumber(os.getenv("BENCH_DUP_EVERY") or "0")
  local i = 0
  for line in io.lines(os.getenv("BENCH_SESSIONS")) do
    if i % n == id then
      local cookie, token, path, other = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
      table.insert(lines, {cookie = cookie, token = token, path = path, other = other})
    end
    i = i + 1
  end
  next_line = 1
  sent, dups, ok, refused, other_status, exhausted = 0, 0, 0, 0, 0, 0
end

function request()
  sent = sent + 1
  local v
  if dup_every > 0 and sent % dup_every == 0 and next_line > 10 then
    v = lines[next_line - 10]
    dups = dups + 1
    return wrk.format("POST", v.other, {
      ["Cookie"] = v.cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded"}, "csrf_token=" .. v.token)
  end
  v = lines[next_line]
  if v == nil then
    exhausted = exhausted + 1
    v = lines[1]
  else
    next_line = next_line + 1
  end
  return wrk.format("POST", v.path, {
    ["Cookie"] = v.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded"}, "csrf_token=" .. v.token)
end

function response(status, headers, body)
  if status == 302 then
    ok = ok + 1
  elseif status == 409 then
    refused = refused + 1
  else
    other_status = other_status + 1
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, refused = 0, other = 0, dups = 0, exhausted = 0, sent = 0}
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("ok")
    t.refused = t.refused + thread:get("refused")
    t.other = t.other + thread:get("other_status")
    t.dups = t.dups + thread:get("dups")
    t.exhausted = t.exhausted + thread:get("exhausted")
    t.sent = t.sent + thread:get("sent")
  end
  local secs = summary.duration / 1e6
  local f = io.open(os.getenv("BENCH_RESULT"), "w")
  f:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "signed_up_302": %d, "refused_409": %d, ' ..
    '"other_status": %d, "duplicates_sent": %d, "exhausted": %d, "p50_ms": %.1f, ' ..
    '"p99_ms": %.1f, "socket_errors": %d, "sent": %d}\n',
    summary.requests, secs, summary.requests / secs, t.ok, t.refused, t.other, t.dups,
    t.exhausted, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, t.sent))
  f:close()
end
