"""In-process timings of the plan's GET pages (no HTTP, no gunicorn): where a page spends its time.

    python -m bench.profile --scale 1 [--runs 30] [--page pipeline ...] [--cprofile 40 [--sort tottime]]
                            [--pyinstrument] [--uncached]
    make bench BENCH_ARGS="--profile pipeline"     (the same as --page pipeline --pyinstrument, at 1x)

Uses the seeded database of `bench.seed` (run `make bench` or `python -m bench.seed --scale 1` first) and the
same requests as the load run (bench/plan.py: same paths, same signed-in people). For each page: median wall
time, median SQL time, the query count and the size, measured with django.test.Client against bench.settings
(DEBUG off, cached template loader) after three warm-up requests. `--pyinstrument` writes an HTML report of one
request of each chosen page to bench/results/profile-<page>-<scale>.html and prints its text summary;
`--cprofile N` prints the N most expensive functions over all runs. `--uncached` clears the cache before each
request (the reports page caches its figures).
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
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def slug(row: str) -> str:
    return row.replace(" ", "-")


def main(argv=None) -> int:  # noqa: C901 -- one linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1", help="a scale (1, 10) or the --name of a seeded database")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page", action="append", help="only these rows (repeatable)")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N most expensive functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--pyinstrument", action="store_true", help="write a pyinstrument report of one request")
    parser.add_argument("--uncached", action="store_true", help="clear the cache before every request")
    args = parser.parse_args(argv)

    from bench.seed import bench_env, label_for, meta_path
    from bench.server import collectstatic

    try:
        scale = float(args.scale)
    except ValueError:  # a named database, e.g. `python -m bench.seed --scale 1 --name busy50 --busy-periods 50`
        scale = args.scale
    os.environ.update(bench_env(scale))
    collectstatic(dict(os.environ))  # DEBUG is off: pages need the hashed static files (cheap when collected)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from bench.plan import build

    meta = json.loads(meta_path(scale).read_text())
    plan = [e for e in build(meta, 0) if e["kind"] == "page"]
    known = [e["page"] for e in plan]
    if args.page and not set(args.page) <= set(known):
        print(f"unknown page(s) {sorted(set(args.page) - set(known))}; the plan's pages: {', '.join(known)}")
        return 2
    rows = []
    for entry in plan:
        row = entry["page"]
        if args.page and row not in args.page:
            continue
        if entry["status"] != "ok":
            print(f"{row}: {entry['status']}")
            continue
        req = entry["requests"][0]
        path, headers = req["path"], {k: v for k, v in req["headers"].items() if k != "Host"}
        client = Client(HTTP_HOST="127.0.0.1", headers=headers)
        for _ in range(3):  # warm up: template and URL caches, translations
            client.get(path)
        if args.pyinstrument:
            from pyinstrument import Profiler

            if args.uncached:
                cache.clear()
            profiler = Profiler(interval=0.0002)
            profiler.start()
            response = client.get(path)
            profiler.stop()
            RESULTS.mkdir(exist_ok=True)
            out = RESULTS / f"profile-{slug(row)}-{label_for(scale)}.html"
            out.write_text(profiler.output_html())
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            print(f"{row}: status {response.status_code}; pyinstrument report written to {out}")
        walls, cpus, sqls, counts = [], [], [], []
        profiler = cProfile.Profile() if args.cprofile else None
        response = None
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
                t0, c0 = time.perf_counter(), time.thread_time()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                walls.append(time.perf_counter() - t0)
                cpus.append(time.thread_time() - c0)
            if response.status_code >= 400:
                print(f"{row}: status {response.status_code}")
            sqls.append(sql[0])
            counts.append(sql[1])
        if not walls:
            continue
        rows.append((row, statistics.median(walls) * 1000, statistics.median(cpus) * 1000,
                     statistics.median(sqls) * 1000, statistics.median(counts),
                     len(response.content), response.status_code))
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
            print(f"--- {row}: cProfile over {args.runs} requests ---\n{out.getvalue()}")
    cleared = " (cache cleared before each)" if args.uncached else ""
    print(f"database {label_for(scale)}, {args.runs} requests each{cleared}, "
          f"load average {os.getloadavg()[0]:.2f}")
    # CPU ms is the request thread's own CPU time (SQLite runs in that thread too): unlike wall time it does not
    # grow when other processes share the cores, so it is the figure to compare between runs on a busy machine.
    print(f"{'page':20} {'wall ms':>8} {'CPU ms':>7} {'SQL ms':>7} {'queries':>7} {'bytes':>7} {'status':>6}")
    for row, wall, cpu, sql, count, size, status in rows:
        print(f"{row:20} {wall:8.1f} {cpu:7.1f} {sql:7.1f} {count:7g} {size:7} {status:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
