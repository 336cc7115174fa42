-- wrk script: POST /order with valid, distinct orders (one unit of an in-stock SKU each,
-- a unique customer e-mail per request). SKUS is loaded from the file named by the
-- environment variable BENCH_SKUS (one SKU per line, written by bench_api.py).
-- done() prints one JSON line: requests, duration, status counts and latency percentiles.
local skus = {}
for line in io.lines(os.getenv("BENCH_SKUS")) do skus[#skus + 1] = line end

local counter = 0
local thread_id = 0
local statuses = {}
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local sku = skus[((counter * 7919 + thread_id * 104729) % #skus) + 1]
  local body = string.format(
    '{"items":[{"sku":"%s","quantity":1}],"customer":{"name":"Bench Buyer","email":"bench-%d-%d@example.com","phone":"0912345678"},' ..
    '"shipping":{"postalCode":"741","city":"Tainan","address":"88 Toushe Road"},"paymentMethod":"cash_on_delivery"}',
    sku, thread_id, counter)
  return wrk.format(nil, "/order", nil, body)
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
