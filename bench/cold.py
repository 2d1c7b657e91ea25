"""The uncached cost of a page the product caches (the staff report caches its figures for a minute).

    python -m bench.cold < {"port": 8000, "path": "/reports/", "headers": {...}, "times": 3}

Clears the cache before each of `times` sequential requests and prints their latencies, so the table can show
the cold cost next to the warm p50 the load run measures. Runs with the bench environment (same database,
same cache as the server).
"""

import http.client
import json
import sys
import time


def main() -> int:
    import django

    django.setup()
    from django.core.cache import cache

    spec = json.load(sys.stdin)
    latencies, statuses = [], []
    for _ in range(min(int(spec.get("times", 3)), 10)):
        cache.clear()
        conn = http.client.HTTPConnection("127.0.0.1", int(spec["port"]), timeout=120)
        t0 = time.monotonic()
        conn.request("GET", spec["path"], headers=spec.get("headers", {}))
        response = conn.getresponse()
        response.read()
        latencies.append(round((time.monotonic() - t0) * 1000, 1))
        statuses.append(response.status)
        conn.close()
    ordered = sorted(latencies)
    json.dump({"latencies_ms": latencies, "median_ms": ordered[len(ordered) // 2], "statuses": statuses}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
