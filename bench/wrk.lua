-- One page of `make bench` (bench/run.py sets the environment): round-robin over BENCH_PATHS
-- (space-separated) and BENCH_COOKIES ("|"-separated Cookie headers, one per signed-in user);
-- BENCH_METHOD POST sends BENCH_BODY with the CSRF header BENCH_CSRF. Prints one JSON line.
local paths, cookies = {}, {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do table.insert(paths, p) end
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do table.insert(cookies, c) end
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local csrf = os.getenv("BENCH_CSRF")
local counter = 0
local statuses = {}

function request()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(counter % #cookies) + 1] end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = csrf
    return wrk.format("POST", paths[(counter % #paths) + 1], headers, body)
  end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    'JSON:{"requests":%d,"duration_us":%d,"errors":%d,"non2xx3xx":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
