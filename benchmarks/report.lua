-- One line of figures for the run script: requests/s, p50, p95, p99 (ms), non-2xx answers, socket errors.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("FIGURES %.0f %.1f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
