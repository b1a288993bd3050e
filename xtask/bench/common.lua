-- What the wrk scripts of `cargo xtask bench` (ingest.lua, decide.lua) share: clocks,
-- seeding, UUIDv7 ids, pacing, checked-answer counts and the result line that
-- xtask/src/bench.rs parses. A script next to it loads it with
--   local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
--   local common = dofile(here .. "common.lua")
-- and gets the table below; it also defines the globals wrk reads (setup, delay) and
-- those report() reads from every thread (checked, bad, sample).
--
-- Pacing: common.pace(rate, threads, connections) defines wrk's delay() hook when the
-- rate (requests/s for the whole run) is above 0. Each thread keeps a schedule of send
-- times `threads / rate` apart against a monotonic clock (LuaJIT FFI); a connection
-- ready to send waits for the next free slot, and a thread that falls behind does not
-- burst to catch up: an open-loop approximation, since a connection only sends once
-- its previous answer is in. Without FFI it falls back to a fixed delay per connection.
--
-- common.report(summary, latency) prints one line to parse:
--   kindling-bench-wrk requests=N duration_us=N status_errors=N connect_errors=N
--     read_errors=N write_errors=N timeouts=N p50_us=N p90_us=N p99_us=N mean_us=N
--     max_us=N checked=N bad=N pacing=clock|fixed|none
-- and, when a checked answer was wrong, `kindling-bench-wrk-sample STATUS BODY`.

local format, floor, random = string.format, math.floor, math.random

local common = {}

-- Clocks: CLOCK_REALTIME for ids and timestamps, CLOCK_MONOTONIC for pacing (ms, as
-- floats). Without LuaJIT's FFI, ids use os.time() and pacing falls back to a fixed
-- delay per connection.
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
  common.wall_ms = function() return floor(clock(0)) end
  common.mono_ms = function() return clock(1) end
else
  common.wall_ms = function() return os.time() * 1000 end
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
function common.uuid_v7(ms)
  local high = floor(ms / 16777216)
  local low = ms % 16777216
  return format("%06x%02x-%04x-7%03x-%04x-%06x%06x",
    high, floor(low / 65536), low % 65536,
    random(0, 4095), 32768 + random(0, 16383), random(0, 16777215), random(0, 16777215))
end

-- Defines delay() for `rate` requests/s over the run (nothing when 0).
pacing = "none"
function common.pace(rate, threads, connections)
  if rate <= 0 then return end
  local interval = threads / rate * 1000
  if common.mono_ms then
    pacing = "clock"
    local mono_ms = common.mono_ms
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

-- Per-thread counts of checked answers, read back by report().
checked = 0
bad = 0
sample = nil
function common.note(ok, status, body)
  checked = checked + 1
  if not ok then
    bad = bad + 1
    if sample == nil then sample = format("%d %s", status, body or "") end
  end
end

-- The threads, for report() to read their counts.
common.threads = {}
function setup(thread)
  table.insert(common.threads, thread)
end

function common.report(summary, latency)
  local total_checked, total_bad, first_sample = 0, 0, nil
  for _, thread in ipairs(common.threads) do
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

return common
