"""make bench: seed 1x and 10x data, serve with gunicorn (DEBUG off, 2 workers), load every page, compare.

    python -m bench.run [--scales 1,10] [--seconds 8] [--concurrency 8] [--reuse]

For each scale: seed its own database (bench/seed.py), collect static files, start gunicorn on a free port of
127.0.0.1, then load each endpoint from a separate process (bench/loadgen.py) for a fixed time at a fixed
concurrency. Measures p50, p95, requests/s, errors (no answer, or a status >= 400) and queries per request
(the X-Query-Count header of bench.settings' middleware).

Targets (issue 7): p50 <= 3x the baseline's (reports and wall <= 5x), p50 growth 1x -> 10x <= 1.5x, zero
errors. Each row says PASS or MISS; a miss is never hidden. Writes bench/results/latest.json and ends with
`worst ratio to baseline: <x> (<page>)`.

Seeding 10x on a small machine can be slow: the 1x seeding time predicts it (the work is linear), and when the
prediction exceeds --max-seed-seconds (default 360) a smaller multiplier is used and announced loudly.
"""

import argparse
import json
import math
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.plan import PAGES
from bench.seed import bench_env, label_for, meta_path, sqlite_path
from bench.server import Gunicorn, load, python

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
REPORT_PAGES = {"reports", "wall"}
COLD_PAGES = {"reports"}  # reports/views.py caches the report for a minute
LIMIT_PAGE, LIMIT_REPORT, LIMIT_GROWTH = 3.0, 5.0, 1.5


def seed(scale: float, env: dict, reuse: bool) -> dict:
    if reuse and not env.get("DATABASE_URL") and meta_path(scale).exists() and sqlite_path(scale).exists() \
            and migrations_applied(env):
        meta = json.loads(meta_path(scale).read_text())
        print(f"[{label_for(scale)}] reusing the seeded database ({meta.get('seed_seconds')} s when seeded)")
        return meta
    print(f"[{label_for(scale)}] seeding ...", flush=True)
    out = python("bench.seed", "--scale", f"{scale:g}", env=env, timeout=3600)
    print("\n".join("    " + line for line in out.strip().splitlines()), flush=True)
    return json.loads(meta_path(scale).read_text())


def migrations_applied(env: dict) -> bool:
    import subprocess

    check = subprocess.run([sys.executable, "manage.py", "migrate", "--check"], env=env, cwd=BASE_DIR,
                           capture_output=True, timeout=120)
    return check.returncode == 0


def booked_count(env: dict, scale: float) -> dict:
    """How many bench bookers hold a booking now (to check the booking POSTs really booked)."""
    code = (
        "import json,django;django.setup();from bench.seed import meta_path;from booking.models import Booking;"
        f"m=json.loads(meta_path({scale!r}).read_text());ids=[b['company_id'] for b in m['sessions']['bookers']];"
        "qs=Booking.objects.filter(company_id__in=ids);"
        "print(json.dumps({'bookings': qs.count(), 'confirmed': qs.filter(status='confirmed').count()}))"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True,
                         timeout=120)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": out.stderr[-500:]}


def bench_scale(scale: float, args, env: dict) -> dict:
    label = label_for(scale)
    meta = seed(scale, env, args.reuse)
    plan = json.loads(python("bench.plan", "--scale", f"{scale:g}", "--bookings", "1000", env=env))
    before = booked_count(env, scale) if any(p["kind"] == "booking" and p["status"] == "ok" for p in plan) else None
    rows = {}
    with Gunicorn(env, workers=args.workers, name=label) as server:
        for entry in plan:
            page = entry["page"]
            if entry["status"] != "ok":
                rows[page] = {"status": entry["status"]}
                print(f"[{label}] {page:14} {entry['status']}", flush=True)
                continue
            spec = {"port": server.port, "seconds": args.seconds, "concurrency": args.concurrency,
                    "mode": entry["mode"], "requests": entry["requests"], "warmup": 10}
            result = load(spec, env)
            result.pop("timeline", None)
            result["status"] = "ok"
            result["path"] = entry["requests"][0]["path"]
            if page in COLD_PAGES:  # cached by the product: also measure what a cache miss costs
                cold = json.loads(python("bench.cold", env=env, stdin=json.dumps(
                    {"port": server.port, "path": result["path"], "headers": entry["requests"][0]["headers"]})))
                result["cold_ms"] = cold["median_ms"]
                print(f"[{label}] {page:14} uncached (cache cleared before each of 3 requests): "
                      f"{cold['latencies_ms']} ms", flush=True)
            rows[page] = result
            print(f"[{label}] {page:14} p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  {result['rps']} req/s"
                  f"  errors {result['errors']}  queries {result['queries_median']}", flush=True)
            if result["samples"]:
                print(f"           first error: {result['samples'][0]}", flush=True)
        log = server.log_text()
    if before is not None and rows.get("booking POST", {}).get("status") == "ok":
        after = booked_count(env, scale)
        made = after.get("bookings", 0) - before.get("bookings", 0)
        rows["booking POST"]["bookings_made"] = made
        rows["booking POST"]["not_booked"] = max(0, rows["booking POST"]["requests"] - made)
        print(f"[{label}] booking POST: {made} bookings made by {rows['booking POST']['requests']} requests",
              flush=True)
    return {"scale": scale, "label": label, "seed_seconds": meta.get("seed_seconds"),
            "migrate_seconds": meta.get("migrate_seconds"), "counts": meta.get("counts"),
            "skipped": meta.get("skipped", []), "rows": rows,
            "server_log_tracebacks": log.count("Traceback"), "server_log_locked": log.count("database is locked")}


def evaluate(runs: list[dict]) -> tuple[list[dict], tuple[float, str]]:
    small, large = runs[0], runs[-1] if len(runs) > 1 else None
    base = small["rows"].get("baseline", {}).get("p50_ms")
    table, worst = [], (0.0, "")
    for page, _name, _role, _kind in PAGES:
        r1 = small["rows"].get(page, {})
        r10 = large["rows"].get(page, {}) if large else {}
        row = {"page": page, "status": r1.get("status", "missing")}
        if r1.get("status") != "ok":
            table.append(row)
            continue
        limit = LIMIT_REPORT if page in REPORT_PAGES else LIMIT_PAGE
        ratio = r1["p50_ms"] / base if base else None
        growth = (r10["p50_ms"] / r1["p50_ms"]) if r10.get("status") == "ok" and r1["p50_ms"] else None
        # The machine is shared: its load drifts between the 1x and the 10x run. Dividing by the growth of the
        # baseline (which does the same work at any data size) removes that drift; both figures are kept.
        base10 = large["rows"].get("baseline", {}).get("p50_ms") if large else None
        raw_growth = growth
        if growth is not None and base and base10:
            growth = growth / (base10 / base)
        errors = r1["errors"] + (r10.get("errors") or 0) + (r1.get("not_booked") or 0) + (r10.get("not_booked") or 0)
        row.update(small=r1, large=r10 or None, ratio=round(ratio, 2) if ratio else None, ratio_limit=limit,
                   growth=round(growth, 2) if growth else None,
                   raw_growth=round(raw_growth, 2) if raw_growth else None, errors=errors)
        row["ratio_ok"] = ratio is not None and ratio <= limit
        row["growth_ok"] = growth is None or page == "baseline" or growth <= LIMIT_GROWTH
        row["errors_ok"] = errors == 0
        if page != "baseline" and ratio and ratio > worst[0]:
            worst = (ratio, page)
        table.append(row)
    return table, worst


def fmt(v, suffix="") -> str:
    return "—" if v is None else f"{v}{suffix}"


def print_table(table: list[dict], runs: list[dict], worst: tuple[float, str]) -> None:
    l1, l2 = runs[0]["label"], runs[-1]["label"]
    base_growth = next((r.get("raw_growth") for r in table if r["page"] == "baseline"), None)
    print()
    print(f"{'page':14} {'p50 ' + l1:>10} {'p95 ' + l1:>10} {'req/s':>7} {'q/req':>6} {'p50 ' + l2:>10} "
          f"{'q/req':>6} {'x base':>7} {'growth':>7} {'raw':>6} {'errors':>6}  verdict")
    for row in table:
        if row["status"] != "ok":
            print(f"{row['page']:14} {row['status']}")
            continue
        s, g = row["small"], row["large"] or {}
        verdicts = []
        if row["page"] != "baseline":
            verdicts.append(("PASS" if row["ratio_ok"] else "MISS") + f" ratio<={row['ratio_limit']:g}")
        if row["growth"] is not None and row["page"] != "baseline":
            verdicts.append(("PASS" if row["growth_ok"] else "MISS") + f" growth<={LIMIT_GROWTH:g}")
            if row["growth_ok"] and (row.get("raw_growth") or 0) > LIMIT_GROWTH:
                verdicts.append(f"raw growth {row['raw_growth']} MISS (baseline itself grew {base_growth})")
        verdicts.append(("PASS" if row["errors_ok"] else "MISS") + " errors=0")
        if "cold_ms" in s:
            verdicts.append(f"uncached: {s['cold_ms']} ms at {runs[0]['label']}"
                            + (f", {g['cold_ms']} ms at {runs[-1]['label']}" if g.get("cold_ms") else ""))
        print(f"{row['page']:14} {fmt(s['p50_ms']):>10} {fmt(s['p95_ms']):>10} {fmt(s['rps']):>7} "
              f"{fmt(s['queries_median']):>6} {fmt(g.get('p50_ms')):>10} {fmt(g.get('queries_median')):>6} "
              f"{fmt(row['ratio']):>7} {fmt(row['growth']):>7} {fmt(row.get('raw_growth')):>6} {row['errors']:>6}  "
              f"{', '.join(verdicts)}")
    if len(runs) > 1:
        print("growth = p50 growth divided by the baseline's growth (the shared machine's load drifts between runs); "
              "raw = p50 growth as measured")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Probono benchmark (issue 7)")
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse seeded SQLite databases when present")
    parser.add_argument("--max-seed-seconds", type=float, default=360)
    parser.add_argument("--from-json", help="print the table of an earlier results file instead of measuring")
    args = parser.parse_args(argv)
    if args.from_json:
        earlier = json.loads(Path(args.from_json).read_text())
        table, worst = evaluate(earlier["runs"])
        print_table(table, earlier["runs"], worst)
        for note in earlier.get("notes", []):
            print(f"note: {note}")
        print(f"worst ratio to baseline: {worst[0]:.2f} ({worst[1] or 'no page measured'})")
        return 0
    scales = [float(s) for s in args.scales.split(",")]
    notes = [f"machine: {os.cpu_count()} CPU cores shared with other engineers' test runs; load generator and "
             f"server on the same cores, so absolute numbers are noisy and ratios are what to read",
             f"{args.workers} gunicorn sync workers, {args.concurrency} concurrent clients, {args.seconds:g} s per "
             f"endpoint, database: {'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite (WAL)'}"]
    runs = []
    for i, scale in enumerate(scales):
        if i > 0 and runs and runs[0].get("seed_seconds") and scale > scales[0]:
            fixed = runs[0].get("migrate_seconds") or 0  # migrations cost the same at any size
            predicted = fixed + (runs[0]["seed_seconds"] - fixed) * scale / scales[0]
            if predicted > args.max_seed_seconds:
                per_scale = (runs[0]["seed_seconds"] - fixed) / scales[0]
                smaller = max(2, math.floor((args.max_seed_seconds - fixed) / per_scale))
                msg = (f"!!! seeding {scale:g}x would take about {predicted:.0f} s (> {args.max_seed_seconds:.0f} s) "
                       f"on this machine: using {smaller}x instead of {scale:g}x. "
                       f"Growth figures are for {smaller}x !!!")
                print(msg, flush=True)
                notes.append(msg)
                scale = float(smaller)
        env = bench_env(scale)
        runs.append(bench_scale(scale, args, env))
    table, worst = evaluate(runs)
    print_table(table, runs, worst)
    for run in runs:
        for what in run["skipped"]:
            print(f"[{run['label']}] seed skipped: {what}")
        if run["server_log_tracebacks"] or run["server_log_locked"]:
            print(f"[{run['label']}] server log: {run['server_log_tracebacks']} tracebacks, "
                  f"{run['server_log_locked']} 'database is locked'")
    for note in notes:
        print(f"note: {note}")
    misses = [r["page"] for r in table if r["status"] == "ok" and not (r["ratio_ok"] and r["growth_ok"]
                                                                       and r["errors_ok"])]
    missing = [r["page"] for r in table if r["status"] != "ok"]
    print(f"targets missed: {', '.join(misses) or 'none'}; pages not measured: {', '.join(missing) or 'none'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    engine = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    document = json.dumps({
        "finished_at": datetime.now(UTC).isoformat(), "host": platform.node(), "cpus": os.cpu_count(),
        "notes": notes, "args": vars(args), "runs": runs, "table": table,
        "worst_ratio": {"ratio": round(worst[0], 2), "page": worst[1]}, "misses": misses, "missing": missing,
        "database": engine,
    }, indent=1, default=str)
    (RESULTS / "latest.json").write_text(document)
    (RESULTS / f"latest-{engine}.json").write_text(document)
    print(f"worst ratio to baseline: {worst[0]:.2f} ({worst[1] or 'no page measured'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
