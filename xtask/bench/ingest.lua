-- wrk script of `cargo xtask bench ingest` (see xtask/src/bench.rs): POSTs event
-- batches to /v1/events, each request with a new visitor, session and event ids
-- (UUIDv7, lowercase, hyphenated), so the collector never sees a resend.
-- The body is the one bench/src/body.rs builds for the storage ceiling: keep them in step.
--
-- Parameters, from the environment (read when the script loads):
--   KINDLING_BENCH_EVENTS   events per request, 1 to 100 (default 1)
--   KINDLING_BENCH_RATE     requests/s for the whole run; 0 or unset = as fast as possible.
--                           Paced with the delay() hook against a monotonic clock (LuaJIT
--                           FFI): an open-loop approximation, since a connection only
--                           sends once its previous answer is in.
--   KINDLING_BENCH_THREADS  wrk's -t (the rate is split among threads; default 1)
--   KINDLING_BENCH_CONNECTIONS  wrk's -c (only for pacing without FFI; default 1)
--   KINDLING_BENCH_CHECK    1 = check every answer is 200 with all events accepted and
--                           no duplicates (costs throughput: used in warm-ups)
--   KINDLING_BENCH_SITE     the site key (default pk_bench)
--
-- done() prints one line to parse:
--   kindling-bench-wrk requests=N duration_us=N status_errors=N connect_errors=N
--     read_errors=N write_errors=N timeouts=N p50_us=N p90_us=N p99_us=N mean_us=N
--     max_us=N checked=N bad=N pacing=clock|fixed|none
-- and, when a checked answer was wrong, `kindling-bench-wrk-sample STATUS BODY`.

local format, floor, random, concat = string.format, math.floor, math.random, table.concat

local events_per_request = tonumber(os.getenv("KINDLING_BENCH_EVENTS") or "1") or 1
local rate = tonumber(os.getenv("KINDLING_BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("KINDLING_BENCH_THREADS") or "1") or 1
local connections = tonumber(os.getenv("KINDLING_BENCH_CONNECTIONS") or "1") or 1
local check = os.getenv("KINDLING_BENCH_CHECK") == "1"
local site = os.getenv("KINDLING_BENCH_SITE") or "pk_bench"

-- Clocks: CLOCK_REALTIME for ids and timestamps, CLOCK_MONOTONIC for pacing (ms, as
-- floats). Without LuaJIT's FFI, ids use os.time() and pacing falls back to a fixed
-- delay per connection.
local wall_ms, mono_ms
local has_ffi, ffi = pcall(require, "ffi")
if has_ffi then
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } kindling_timespec;
    int clock_gettime(int clock_id, kindling_timespec *tp);
  ]])
  local ts = ffi.new("kindling_timespec")
  local function clock(id)
    ffi.C.clock_gettime(id, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  wall_ms = function() return floor(clock(0)) end
  mono_ms = function() return clock(1) end
else
  wall_ms = function() return os.time() * 1000 end
end

-- Seed from /dev/urandom: every wrk thread, run and process draws different ids.
do
  local seed = os.time() + floor(os.clock() * 1e6)
  local urandom = io.open("/dev/urandom", "rb")
  if urandom then
    local bytes = urandom:read(6) or ""
    urandom:close()
    for i = 1, #bytes do seed = (seed * 256 + bytes:byte(i)) % 4503599627370496 end
  end
  math.randomseed(seed)
  for _ = 1, 10 do random() end
end

-- A UUIDv7 at `ms`: 48-bit time, version 7, 12 random bits, variant 10, 62 random bits.
local function uuid_v7(ms)
  local high = floor(ms / 16777216)
  local low = ms % 16777216
  return format("%06x%02x-%04x-7%03x-%04x-%06x%06x",
    high, floor(low / 65536), low % 65536,
    random(0, 4095), 32768 + random(0, 16383), random(0, 16777215), random(0, 16777215))
end

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

-- Pacing: each thread keeps a schedule of send times `interval` ms apart; a
-- connection ready to send waits for the next free slot. A thread that falls behind
-- does not burst to catch up.
pacing = "none"
if rate > 0 then
  local interval = threads / rate * 1000
  if mono_ms then
    pacing = "clock"
    local next_slot = nil
    function delay()
      local now = mono_ms()
      if next_slot == nil or next_slot < now then next_slot = now end
      local wait = next_slot - now
      next_slot = next_slot + interval
      return wait
    end
  else
    pacing = "fixed"
    local per_connection = interval * connections / threads
    function delay()
      return per_connection
    end
  end
end

-- Per-thread counts of checked answers, read back in done().
checked = 0
bad = 0
sample = nil
if check then
  local expected = format('"accepted":%d,"duplicates":0', events_per_request)
  function response(status, headers, body)
    checked = checked + 1
    if status ~= 200 or not string.find(body or "", expected, 1, true) then
      bad = bad + 1
      if sample == nil then sample = format("%d %s", status, body or "") end
    end
  end
end

local all_threads = {}
function setup(thread)
  table.insert(all_threads, thread)
end

function done(summary, latency, requests)
  local total_checked, total_bad, first_sample = 0, 0, nil
  for _, thread in ipairs(all_threads) do
    total_checked = total_checked + (tonumber(thread:get("checked")) or 0)
    total_bad = total_bad + (tonumber(thread:get("bad")) or 0)
    first_sample = first_sample or thread:get("sample")
  end
  local errors = summary.errors
  io.write(format(
    "kindling-bench-wrk requests=%.0f duration_us=%.0f status_errors=%.0f connect_errors=%.0f "
      .. "read_errors=%.0f write_errors=%.0f timeouts=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f "
      .. "mean_us=%.1f max_us=%.0f checked=%.0f bad=%.0f pacing=%s\n",
    summary.requests, summary.duration, errors.status, errors.connect,
    errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, total_checked, total_bad, pacing))
  if first_sample then
    io.write("kindling-bench-wrk-sample " .. string.gsub(first_sample, "%s+", " ") .. "\n")
  end
end
