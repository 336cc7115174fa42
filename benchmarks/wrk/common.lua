-- Shared by the wrk scripts: per-thread status counts, and done() printing one JSON line with
-- requests, duration, errors, status counts and latency percentiles (p50, p99, p99.9, max).
counter = 0
thread_id = 0
statuses = {}
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
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
