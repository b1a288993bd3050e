-- wrk script of `cargo xtask bench ingest` (see xtask/src/bench.rs): POSTs event
-- batches to /v1/events, each request with a new visitor, session and event ids
-- (UUIDv7, lowercase, hyphenated), so the collector never sees a resend.
-- The body is the one bench/src/body.rs builds for the storage ceiling: keep them in step.
-- Clocks, ids, pacing and the result line come from common.lua (next to this file).
--
-- Parameters, from the environment (read when the script loads):
--   KINDLING_BENCH_EVENTS   events per request, 1 to 100 (default 1)
--   KINDLING_BENCH_RATE     requests/s for the whole run; 0 or unset = as fast as possible
--                           (paced as common.lua describes)
--   KINDLING_BENCH_THREADS  wrk's -t (the rate is split among threads; default 1)
--   KINDLING_BENCH_CONNECTIONS  wrk's -c (only for pacing without FFI; default 1)
--   KINDLING_BENCH_CHECK    1 = check every answer is 200 with all events accepted and
--                           no duplicates (costs throughput: used in warm-ups)
--   KINDLING_BENCH_SITE     the site key (default pk_bench)
--
-- done() prints the `kindling-bench-wrk ...` line of common.lua.

local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local format, concat = string.format, table.concat
local uuid_v7, wall_ms = common.uuid_v7, common.wall_ms

local events_per_request = tonumber(os.getenv("KINDLING_BENCH_EVENTS") or "1") or 1
local rate = tonumber(os.getenv("KINDLING_BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("KINDLING_BENCH_THREADS") or "1") or 1
local connections = tonumber(os.getenv("KINDLING_BENCH_CONNECTIONS") or "1") or 1
local check = os.getenv("KINDLING_BENCH_CHECK") == "1"
local site = os.getenv("KINDLING_BENCH_SITE") or "pk_bench"

local EVENT = '{"id":"%s","type":"pageview","session":"%s",'
  .. '"url":"https://www.example.com/pricing","title":"Pricing","ts":%.0f}'
local ENVELOPE = '{"site":"%s","visitor":"%s","context":{"visit":1,"first_visit_ms":%.0f,'
  .. '"landing":"https://www.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring",'
  .. '"referrer":"https://www.google.com/","language":"en-US","viewport":1280},"events":[%s]}'

local function body()
  local now = wall_ms()
  local session = uuid_v7(now)
  local visitor = uuid_v7(now)
  local events = {}
  for i = 1, events_per_request do
    events[i] = format(EVENT, uuid_v7(now), session, now)
  end
  return format(ENVELOPE, site, visitor, now, concat(events, ","))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
wrk.headers["Origin"] = "https://www.example.com"
wrk.headers["User-Agent"] =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

function request()
  return wrk.format(nil, nil, nil, body())
end

common.pace(rate, threads, connections)

if check then
  local expected = format('"accepted":%d,"duplicates":0', events_per_request)
  function response(status, headers, body)
    common.note(status == 200 and string.find(body or "", expected, 1, true) ~= nil, status, body)
  end
end

function done(summary, latency, requests)
  common.report(summary, latency)
end
