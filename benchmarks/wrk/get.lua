-- wrk script: GET requests, one path per line from the file named by BENCH_PATHS (round robin),
-- or the URL's own path when BENCH_PATHS is empty. Prints a BENCH_JSON line (common.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local paths = {}
local file = os.getenv("BENCH_PATHS")
if file and file ~= "" then
  for line in io.lines(file) do paths[#paths + 1] = line end
end

function request()
  counter = counter + 1
  if #paths == 0 then return wrk.format("GET") end
  return wrk.format("GET", paths[((counter + thread_id * 7) % #paths) + 1])
end
