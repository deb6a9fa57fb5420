-- hosts.lua rotates the Host header over t0.test .. t99.test, one per request, so that every
-- tenant is used. The same script runs against every target to keep wrk's work identical.
local i = 0
local n = tonumber(os.getenv("BENCH_TENANTS") or "100")

request = function()
  local host = "t" .. (i % n) .. ".test"
  i = i + 1
  return wrk.format(nil, nil, { Host = host })
end
