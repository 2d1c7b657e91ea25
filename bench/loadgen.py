"""A small HTTP load generator: threads + http.client with keep-alive, pure Python, run as its own process.

    python -m bench.loadgen < spec.json > result.json

The spec: {"port": 8000, "seconds": 8, "concurrency": 8, "warmup": 10, "mode": "repeat" | "each-once",
"requests": [{"method": "GET", "path": "/x/", "headers": {...}, "body": "..."}], "cookies": [...]}.
"rate" (requests per second over all threads, or "auto") paces the clients at a fixed rate instead of sending
as fast as answers come back, so the generator's own threads never compete with the server for a 2-core
machine; "auto" offers half of what `server_workers` workers can serve, judged from the warm-up's latency, so
every page runs at the same utilisation and its p50 stays proportional to its service time.
"repeat" cycles through the requests (each thread starts at its own offset); "each-once" hands every request
to exactly one thread and stops early when they run out (the booking POST books a different slot each time).
"cookie_per_request" lets each request carry its own Cookie header (set in its headers).

Only 127.0.0.1 is ever contacted. Every loop is bounded by the deadline and by `max_requests`.
"""

import http.client
import json
import sys
import threading
import time
from collections import Counter

MARKERS = {"traceback": b"Traceback", "database_is_locked": b"database is locked", "friendly_503": b"back in a moment"}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class Source:
    def __init__(self, requests: list[dict], mode: str):
        self.requests, self.mode = requests, mode
        self.lock = threading.Lock()
        self.index = 0

    def next(self, offset: int) -> dict | None:
        with self.lock:
            i = self.index
            self.index += 1
        if self.mode == "each-once":
            return self.requests[i] if i < len(self.requests) else None
        return self.requests[(i + offset) % len(self.requests)]


def one_request(conn: http.client.HTTPConnection, req: dict) -> tuple[int, bytes, dict]:
    body = req.get("body")
    data = body.encode() if isinstance(body, str) else body
    conn.request(req.get("method", "GET"), req["path"], body=data, headers=req.get("headers", {}))
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload, {k.lower(): v for k, v in response.getheaders()}


def run(spec: dict) -> dict:
    port = int(spec["port"])
    seconds = float(spec.get("seconds", 8))
    concurrency = int(spec.get("concurrency", 8))
    max_requests = int(spec.get("max_requests", 200_000))
    source = Source(spec["requests"], spec.get("mode", "repeat"))
    timeout = float(spec.get("timeout", 60))

    # Warm-up (not measured): templates compiled and connections opened in both workers.
    warm = int(spec.get("warmup", 0))
    warm_latencies = []
    if warm and spec.get("mode", "repeat") == "repeat":
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        for i in range(warm):
            t0 = time.monotonic()
            try:
                one_request(conn, spec["requests"][i % len(spec["requests"])])
                warm_latencies.append(time.monotonic() - t0)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.close()
    rate = spec.get("rate")
    if rate == "auto":
        service = percentile(warm_latencies[len(warm_latencies) // 2:], 50) or 0.05
        rate = 0.5 * int(spec.get("server_workers", 2)) / max(service, 0.0005)
    rate = min(float(rate), 2000.0) if rate else None

    lock = threading.Lock()
    latencies: list[float] = []
    timeline: list[tuple[float, int]] = []  # (seconds since start, status) for the fault scripts
    statuses: Counter = Counter()
    markers: Counter = Counter()
    queries: list[int] = []
    samples: list[dict] = []
    count = [0]
    started = time.monotonic()
    started_wall = time.time()
    deadline = started + seconds

    def worker(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        k = 0
        while time.monotonic() < deadline:
            if rate:  # open-loop pacing: this thread's k-th request is due at a fixed time
                due = started + (k * concurrency + offset // 7) / rate
                k += 1
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                if time.monotonic() >= deadline:
                    break
            with lock:
                if count[0] >= max_requests:
                    break
                count[0] += 1
            req = source.next(offset)
            if req is None:
                break
            t0 = time.monotonic()
            try:
                status, payload, headers = one_request(conn, req)
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                status, payload, headers = 0, repr(e).encode(), {}
            elapsed = time.monotonic() - t0
            with lock:
                latencies.append(elapsed)
                timeline.append((round(t0 - started, 3), status))
                statuses[status] += 1
                for name, marker in MARKERS.items():
                    if marker in payload:
                        markers[name] += 1
                if "x-query-count" in headers:
                    queries.append(int(headers["x-query-count"]))
                if (status == 0 or status >= 400) and len(samples) < 5:
                    samples.append({"status": status, "path": req["path"], "body": payload[:400].decode("utf-8",
                                                                                                      "replace")})
        conn.close()

    threads = [threading.Thread(target=worker, args=(i * 7,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 5)
    wall = time.monotonic() - started
    errors = sum(n for s, n in statuses.items() if s == 0 or s >= 400)
    return {
        "tool": "python" + (f" at {rate:.0f} req/s" if rate else " (closed loop)"),
        "requests": len(latencies), "seconds": round(wall, 2), "rps": round(len(latencies) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
        "errors": errors, "statuses": {str(k): v for k, v in sorted(statuses.items())}, "markers": dict(markers),
        "queries_median": percentile(queries, 50), "queries_max": max(queries) if queries else None,
        "samples": samples, "timeline": timeline if spec.get("timeline") else None, "started_wall": started_wall,
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
