"""In-process timings of the benchmark's GET pages (no HTTP, no gunicorn): where a page spends its time.

    python -m bench.profile --scale 1 [--runs 30] [--page pipeline] [--cprofile 40 [--sort tottime]] [--uncached]

Uses the seeded database of `bench.seed` (run `make bench` or `python -m bench.seed --scale 1` first) and the
signed-in sessions in its meta file. For each page: median wall time, median SQL time and the query count,
measured with django.test.Client against bench.settings (DEBUG off, cached template loader). `--cprofile N`
prints the N most expensive functions (cumulative) of the chosen page. `--uncached` clears the cache before
each request, so /reports/ is measured without its 60 s cache.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

PAGES = [  # (row, URL name, who is signed in) -- the GET pages of bench/plan.py
    ("baseline", "bench_baseline", "anon"),
    ("directory", "consultants:directory", "anon"),
    ("profile", "consultants:profile", "anon"),
    ("calendar", "consultants:calendar", "consultant"),
    ("pipeline", "engagements:pipeline", "consultant"),
    ("reports", "reports:index", "staff"),
    ("wall", "reports:wall", "staff"),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page", action="append", help="only these rows (repeatable)")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N most expensive functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--uncached", action="store_true", help="clear the cache before every request")
    args = parser.parse_args(argv)

    from bench.seed import bench_env, meta_path
    from bench.server import collectstatic

    scale = float(args.scale)
    os.environ.update(bench_env(scale))
    collectstatic(dict(os.environ))  # DEBUG is off: pages need the hashed static files (cheap when collected)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    meta = json.loads(meta_path(scale).read_text())
    sessions = meta["sessions"]
    rows = []
    for row, name, role in PAGES:
        if args.page and row not in args.page:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        if role != "anon":
            client.cookies[sessions["cookie_name"]] = sessions[role]
        kwargs = {"slug": meta["profile_slug"]} if name == "consultants:profile" else {}
        path = reverse(name, kwargs=kwargs)
        for _ in range(3):  # warm up: template and URL caches, translations
            client.get(path)
        walls, sqls, counts = [], [], []
        profiler = cProfile.Profile() if args.cprofile else None
        for _ in range(args.runs):
            if args.uncached:
                cache.clear()
            sql = [0.0, 0]

            def timer(execute, *a, sql=sql):
                t = time.perf_counter()
                try:
                    return execute(*a)
                finally:
                    sql[0] += time.perf_counter() - t
                    sql[1] += 1

            with connection.execute_wrapper(timer):
                t0 = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                walls.append(time.perf_counter() - t0)
            assert response.status_code == 200, (row, response.status_code)
            sqls.append(sql[0])
            counts.append(sql[1])
        rows.append((row, statistics.median(walls) * 1000, statistics.median(sqls) * 1000, statistics.median(counts),
                     len(response.content)))
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
            print(f"--- {row}: cProfile over {args.runs} requests ---\n{out.getvalue()}")
    print(f"scale {scale:g}x, {args.runs} requests each{' (cache cleared before each)' if args.uncached else ''}")
    print(f"{'page':10} {'wall ms':>8} {'SQL ms':>7} {'queries':>7} {'bytes':>7}")
    for row, wall, sql, count, size in rows:
        print(f"{row:10} {wall:8.1f} {sql:7.1f} {count:7g} {size:7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
