"""Load one endpoint with wrk (Debian package `wrk`), the tool the field measures with.

    run(spec) -> the same result dictionary as bench.loadgen.run (p50_ms, p95_ms, rps, errors, ...)

The spec is bench.loadgen's: {"port", "seconds", "concurrency", "threads", "mode", "requests": [...]}. A small Lua
script carries the requests: "repeat" cycles through them; "each-once" gives every request to exactly one thread
and stops that thread when its share runs out (each booking POST books a different slot). wrk runs with 2
threads (it is C and event-driven: two threads leave the server the rest of a 2-core machine) and reports its
own latency percentiles; the script's done() prints them as one JSON line. Query counts come from the
X-Query-Count header: read by the script for "each-once" requests, by a few probe requests otherwise (parsing
every response in Lua would cost the load generator CPU the server needs).
"""

import http.client
import json
import shutil
import subprocess
import tempfile
from pathlib import Path


def available() -> str | None:
    return shutil.which("wrk")


def lua_string(value: str) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= code < 127:
            out.append(ch)
        else:
            out.extend(f"\\{b}" for b in ch.encode())
    return '"' + "".join(out) + '"'


def lua_request(req: dict) -> str:
    headers = {k: v for k, v in req.get("headers", {}).items() if k.lower() != "host"}
    pairs = ", ".join(f"[{lua_string(k)}] = {lua_string(str(v))}" for k, v in headers.items())
    body = lua_string(req["body"]) if req.get("body") else "nil"
    return f"{{{lua_string(req.get('method', 'GET'))}, {lua_string(req['path'])}, {{{pairs}}}, {body}}}"


SCRIPT = r"""
local raw = {
%(requests)s
}
local mode = %(mode)s
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  thread:set("nthreads", %(nthreads)d)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  reqs = {}
  for i, r in ipairs(raw) do
    if mode == "repeat" or (i - 1) %% nthreads == id then
      table.insert(reqs, wrk.format(r[1], r[2], r[3], r[4]))
    end
  end
  idx = (mode == "repeat") and (id * 7) %% #reqs or 0
  sent = 0
  exhausted = 0
  qs = ""
end

function request()
  idx = idx + 1
  if idx > #reqs then
    if mode == "repeat" then
      idx = 1
    else
      exhausted = exhausted + 1
      idx = #reqs
    end
  end
  sent = sent + 1
  return reqs[idx]
end

if mode == "each-once" then
  function response(status, headers, body)
    local q = headers["X-Query-Count"] or headers["x-query-count"]
    if q and #qs < 60000 then qs = qs .. q .. "," end
    if exhausted > 0 then wrk.thread:stop() end
  end
end

function done(summary, latency, requests)
  local qs_all, exhausted_all = "", 0
  for _, t in ipairs(threads) do
    qs_all = qs_all .. (t:get("qs") or "")
    exhausted_all = exhausted_all + (t:get("exhausted") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, ' ..
    '"exhausted": %%d, "queries": "%%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, exhausted_all, qs_all))
end
"""


def probe(port: int, req: dict, times: int = 3, timeout: float = 60) -> dict:
    """A few sequential requests (also the warm-up): status, size and X-Query-Count of each."""
    statuses, queries, sizes, samples = [], [], [], []
    for _ in range(times):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            body = req.get("body")
            conn.request(req.get("method", "GET"), req["path"], body=body.encode() if isinstance(body, str) else body,
                         headers=req.get("headers", {}))
            response = conn.getresponse()
            payload = response.read()
            statuses.append(response.status)
            sizes.append(len(payload))
            if response.getheader("X-Query-Count"):
                queries.append(int(response.getheader("X-Query-Count")))
            if response.status >= 400 and len(samples) < 2:
                samples.append({"status": response.status, "path": req["path"],
                                "body": payload[:400].decode("utf-8", "replace")})
        except (OSError, http.client.HTTPException) as e:
            statuses.append(0)
            samples.append({"status": 0, "path": req["path"], "body": repr(e)})
        finally:
            conn.close()
    return {"statuses": statuses, "queries": queries, "bytes": sizes, "samples": samples}


def run(spec: dict) -> dict:
    port, seconds = int(spec["port"]), float(spec.get("seconds", 10))
    threads, connections = int(spec.get("threads", 2)), int(spec.get("concurrency", 10))
    mode, requests = spec.get("mode", "repeat"), spec["requests"]
    threads = max(1, min(threads, connections, len(requests) if mode == "each-once" else threads))
    pre = None
    if mode == "repeat":
        pre = probe(port, requests[0], times=max(1, int(spec.get("warmup", 3))))
    script = SCRIPT % {"requests": ",\n".join(lua_request(r) for r in requests), "mode": lua_string(mode),
                       "nthreads": threads}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = Path(f.name)
    try:
        cmd = [available() or "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", f"{int(spec.get('timeout', 30))}s", "-s", str(path), f"http://127.0.0.1:{port}"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    finally:
        path.unlink(missing_ok=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result ({out.returncode}): {out.stdout[-1500:]} {out.stderr[-1500:]}")
    r = json.loads(line[len("BENCHJSON "):])
    socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
    queries = [int(q) for q in r["queries"].split(",") if q] or (pre["queries"] if pre else [])
    wall = r["duration_us"] / 1e6
    samples = pre["samples"] if pre else []
    probe_errors = sum(1 for s in pre["statuses"] if s == 0 or s >= 400) if pre else 0
    ordered = sorted(queries)
    return {
        "tool": "wrk", "requests": r["requests"], "seconds": round(wall, 2),
        "rps": round(r["requests"] / wall, 1) if wall else 0,
        "p50_ms": round(r["p50_us"] / 1000, 1), "p95_ms": round(r["p95_us"] / 1000, 1),
        "p99_ms": round(r["p99_us"] / 1000, 1),
        "errors": r["status"] + socket_errors + probe_errors,
        "statuses": {"status>=400": r["status"], "socket": socket_errors,
                     **({"probe": pre["statuses"]} if pre else {})},
        "bytes_per_request": round(r["bytes"] / r["requests"]) if r["requests"] else None,
        "queries_median": ordered[len(ordered) // 2] if ordered else None,
        "queries_max": ordered[-1] if ordered else None, "exhausted": r["exhausted"], "samples": samples,
        "markers": {},
    }
