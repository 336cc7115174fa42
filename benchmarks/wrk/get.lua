-- wrk script: GET requests, one path per line from the file named by BENCH_PATHS (round robin),
-- or the URL's own path when BENCH_PATHS is unset. done() prints one JSON line like post_order.lua.
local paths = {}
local file = os.getenv("BENCH_PATHS")
if file and file ~= "" then
  for line in io.lines(file) do paths[#paths + 1] = line end
end
local counter = 0
local thread_id = 0
local statuses = {}
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  if #paths == 0 then return wrk.format("GET") end
  return wrk.format("GET", paths[((counter + thread_id * 7) % #paths) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do merged[code] = (merged[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(merged) do parts[#parts + 1] = string.format('"%d":%d', code, n) end
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"errors":%d,"statuses":{%s},"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ","), latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
