-- wrk script: POST /order with valid, distinct orders (one unit of an in-stock SKU each, a
-- unique customer e-mail per request). The SKUs come from the file named by BENCH_SKUS (one per
-- line, written by bench_api.py). BENCH_TAG (optional) goes into the e-mail, so that several wrk
-- processes write distinct customers. Prints a BENCH_JSON line (common.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local skus = {}
for line in io.lines(os.getenv("BENCH_SKUS")) do skus[#skus + 1] = line end
local tag = os.getenv("BENCH_TAG") or ""

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local sku = skus[((counter * 7919 + thread_id * 104729) % #skus) + 1]
  local body = string.format(
    '{"items":[{"sku":"%s","quantity":1}],"customer":{"name":"Bench Buyer","email":"bench-%s%d-%d@example.com","phone":"0912345678"},' ..
    '"shipping":{"postalCode":"741","city":"Tainan","address":"88 Toushe Road"},"paymentMethod":"cash_on_delivery"}',
    sku, tag, thread_id, counter)
  return wrk.format(nil, "/order", nil, body)
end
