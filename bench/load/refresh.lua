-- wrk script: rotation of many refresh families under load, through the real cookie path.
--
-- Why wrk with this script and not a tool that replays one fixed request (oha, ab, hey): a
-- rotating server accepts each refresh token exactly once, so a replayed request would be
-- reuse after its first answer. Here every thread owns a pool of family tokens (seeded by
-- the server's test hook /__seed-families, TOKENRELAY_LOAD_TOKENS names the file). request()
-- takes a token out of the pool and presents it as the `refreshToken` cookie; response() puts
-- the successor from `Set-Cookie` back. A token therefore leaves the pool once and is never
-- presented again, a family has exactly one token in flight or in the pool at any time, and
-- with as many connections as families every family is refreshing all the time. The server
-- does all of the real work: cookie parsing, the reuse check, rotation, signing. A server
-- that handed out a used token's successor twice, or a client that presented a used token,
-- would show up as a 401 here (refresh_reuse) and in the server's counters, which
-- bench/load/run.mjs checks after the run (refreshSecondSuccessor, refreshReuse).
--
-- wrk calls request() once in thread 0's Lua state, after init() and before the thread runs,
-- only to check the request (that call must not take a token), and then once per request
-- written; response() runs before the connection's next request() (no pipelining), so the
-- pool never runs dry unless a response is lost.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("TOKENRELAY_LOAD_TOKENS")
  local nthreads = tonumber(os.getenv("TOKENRELAY_LOAD_THREADS"))
  pool = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      table.insert(pool, line)
    end
    i = i + 1
  end
  seeded = #pool
  checked = id ~= 0 -- thread 0's first request() is wrk's check
  seen = {}
  ok = 0         -- 200 with a new refresh cookie
  duplicates = 0 -- a successor this thread had already received
  starved = 0    -- requests sent without a token (pool empty: a response was lost)
  refused = 0    -- any other answer
end

local function refresh(cookie)
  local headers = { ["X-Requested-With"] = "tokenrelay-load" }
  if cookie then
    headers["Cookie"] = "refreshToken=" .. cookie
  end
  return wrk.format("POST", "/auth/refresh", headers, "")
end

function request()
  if not checked then
    checked = true
    return refresh(nil)
  end
  local token = table.remove(pool)
  if token == nil then
    starved = starved + 1
  end
  return refresh(token)
end

function response(status, headers, body)
  local set = headers["set-cookie"] or headers["Set-Cookie"]
  local token = status == 200 and set and set:match("^refreshToken=(%x+)")
  if token then
    ok = ok + 1
    if seen[token] then
      duplicates = duplicates + 1
    end
    seen[token] = true
    table.insert(pool, token)
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local totals = { seeded = 0, ok = 0, duplicates = 0, starved = 0, refused = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do
      totals[k] = totals[k] + t:get(k)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'TOKENRELAY_LOAD {"requests":%d,"durationUs":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,' ..
    '"seeded":%d,"ok":%d,"duplicates":%d,"starved":%d,"refused":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    totals.seeded, totals.ok, totals.duplicates, totals.starved, totals.refused))
end
