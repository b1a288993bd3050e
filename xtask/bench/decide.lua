-- wrk script of `cargo xtask bench decide` (see xtask/src/bench/decide.rs): POSTs the
-- widget's boot request to /v1/boot for a mix of visitors and pages, as the widget
-- does on every page load. Clocks, ids (UUIDv7, lowercase, hyphenated), pacing and the
-- result line come from common.lua (next to this file).
--
-- Visitors: a share KINDLING_BENCH_NEW_SHARE of requests comes from a new visitor (a
-- new id and session, visit 1, and `new_visitor: true` as the widget sends it); the others from a visitor drawn uniformly from the
-- pool file that `kindling-bench prime` posted a first visit for, half of them
-- continuing that visit (its session, visit 1) and half on a later visit (a new
-- session, visit 2 to 6). Pages: six paths, one with a LinkedIn campaign, each with
-- the slots such a page has; a third come from Google, the rest from inside the site;
-- languages en-US (70 %), de-DE, pl-PL; 30 % phones (iPhone user agent, 390 px
-- viewport, touch), the rest desktops. Pages and audiences are those of
-- xtask/bench/decide.yaml: keep them in step.
--
-- Parameters, from the environment (read when the script loads):
--   KINDLING_BENCH_POOL       the pool file, one `VISITOR SESSION` line per visitor
--   KINDLING_BENCH_NEW_SHARE  share of requests from new visitors, 0 to 1 (default 0.2)
--   KINDLING_BENCH_RATE       requests/s for the whole run; 0 or unset = as fast as
--                             possible (paced as common.lua describes)
--   KINDLING_BENCH_THREADS    wrk's -t (the rate is split among threads; default 1)
--   KINDLING_BENCH_CONNECTIONS  wrk's -c (only for pacing without FFI; default 1)
--   KINDLING_BENCH_CHECK      1 = check every answer is 200 with the visitor's state
--                             and count the blocks decided (costs throughput: warm-ups)
--   KINDLING_BENCH_SITE       the site key (default pk_bench)
--
-- done() prints the `kindling-bench-wrk ...` line of common.lua, then, when checking,
--   kindling-bench-wrk-decide answers=N decisions=N with_segments=N blocks=ID:N,ID:N,...

local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local format, random, concat = string.format, math.random, table.concat
local uuid_v7, wall_ms = common.uuid_v7, common.wall_ms

local pool_path = os.getenv("KINDLING_BENCH_POOL")
local new_share = tonumber(os.getenv("KINDLING_BENCH_NEW_SHARE") or "0.2") or 0.2
local rate = tonumber(os.getenv("KINDLING_BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("KINDLING_BENCH_THREADS") or "1") or 1
local connections = tonumber(os.getenv("KINDLING_BENCH_CONNECTIONS") or "1") or 1
local check = os.getenv("KINDLING_BENCH_CHECK") == "1"
local site = os.getenv("KINDLING_BENCH_SITE") or "pk_bench"

-- The pool: visitors[i], sessions[i].
local visitors, sessions = {}, {}
if pool_path then
  local file = assert(io.open(pool_path, "r"), "cannot open the pool " .. pool_path)
  for line in file:lines() do
    local visitor, session = string.match(line, "^(%S+) (%S+)$")
    if visitor then
      visitors[#visitors + 1] = visitor
      sessions[#sessions + 1] = session
    end
  end
  file:close()
end
assert(#visitors > 0, "KINDLING_BENCH_POOL must name a pool file with at least one visitor")

local ORIGIN = "https://www.example.com"
-- Path (and query) and the page's slots, as a JSON list.
local PAGES = {
  { "/", '["hero","sidebar","footer"]' },
  { "/pricing", '["hero","footer"]' },
  { "/pricing/enterprise?utm_source=linkedin&utm_medium=social&utm_campaign=q4-launch", '["hero","footer"]' },
  { "/blog/close-in-a-day", '["hero","sidebar"]' },
  { "/customers/acme", '["hero","sidebar","footer"]' },
  { "/docs/start", '["sidebar"]' },
}
local LANGUAGES = { "en-US", "en-US", "en-US", "en-US", "en-US", "en-US", "en-US", "de-DE", "de-DE", "pl-PL" }

local BODY = '{"site":"%s","visitor":"%s","url":"' .. ORIGIN .. '%s",%s"slots":%s,"session":"%s",%s'
  .. '"context":{"visit":%d,"first_visit_ms":%.0f,"language":"%s","viewport":%d,"touch":%d}}'
-- What the widget adds when it made the visitor id on this very page.
local NEW_VISITOR = '"new_visitor":true,'
local FROM_GOOGLE = '"referrer":"https://www.google.com/",'

local function headers(user_agent)
  return {
    ["Content-Type"] = "text/plain;charset=UTF-8",
    ["Origin"] = ORIGIN,
    ["User-Agent"] = user_agent,
  }
end
local DESKTOP = headers(
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
local PHONE = headers("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
  .. "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")

wrk.method = "POST"

function request()
  local now = wall_ms()
  local visitor, session, visit, first_visit_ms, new_visitor = nil, nil, nil, nil, ""
  if random() < new_share then
    visitor, session, visit, first_visit_ms = uuid_v7(now), uuid_v7(now), 1, now
    new_visitor = NEW_VISITOR
  else
    local index = random(1, #visitors)
    visitor, first_visit_ms = visitors[index], now - 86400000
    if random() < 0.5 then
      session, visit = sessions[index], 1
    else
      session, visit = uuid_v7(now), random(2, 6)
    end
  end
  local page = PAGES[random(1, #PAGES)]
  local referrer = random() < 1 / 3 and FROM_GOOGLE or ""
  local phone = random() < 0.3
  local body = format(BODY, site, visitor, page[1], referrer, page[2], session, new_visitor, visit,
    first_visit_ms, LANGUAGES[random(1, #LANGUAGES)], phone and 390 or 1280, phone and 5 or 0)
  return wrk.format(nil, nil, phone and PHONE or DESKTOP, body)
end

common.pace(rate, threads, connections)

-- Checked answers: the decisions per answer, the answers whose visitor has segments
-- (a primed person was found), and how often each block was decided.
answers, decisions, with_segments = 0, 0, 0
blocks = {}
if check then
  local find, gmatch = string.find, string.gmatch
  function response(status, headers, body)
    body = body or ""
    local ok = status == 200 and find(body, '{"visitor":{"id":"', 1, true) == 1
      and find(body, '"decisions":[', 1, true) ~= nil
    common.note(ok, status, body)
    if ok then
      answers = answers + 1
      if not find(body, '"segments":[]', 1, true) then with_segments = with_segments + 1 end
      for block in gmatch(body, '"block":"([^"]+)"') do
        decisions = decisions + 1
        blocks[block] = (blocks[block] or 0) + 1
      end
    end
  end
end

function done(summary, latency, requests)
  common.report(summary, latency)
  if not check then return end
  local total_answers, total_decisions, total_segments, by_block = 0, 0, 0, {}
  for _, thread in ipairs(common.threads) do
    total_answers = total_answers + (tonumber(thread:get("answers")) or 0)
    total_decisions = total_decisions + (tonumber(thread:get("decisions")) or 0)
    total_segments = total_segments + (tonumber(thread:get("with_segments")) or 0)
    for block, count in pairs(thread:get("blocks") or {}) do
      by_block[block] = (by_block[block] or 0) + count
    end
  end
  local names = {}
  for block in pairs(by_block) do names[#names + 1] = block end
  table.sort(names)
  local counts = {}
  for i, block in ipairs(names) do counts[i] = block .. ":" .. by_block[block] end
  io.write(format("kindling-bench-wrk-decide answers=%.0f decisions=%.0f with_segments=%.0f blocks=%s\n",
    total_answers, total_decisions, total_segments, concat(counts, ",")))
end
