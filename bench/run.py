"""make bench: seed 1x and 10x data, serve with gunicorn (DEBUG off, 2 workers), load every page, compare.

    python -m bench.run [--scales 1,10] [--seconds 10] [--connections 10] [--runs 3] [--reuse]
                        [--pages directory,pipeline] [--python-load] [--profile PAGE]

For each scale: seed its own database (bench/seed.py), start two gunicorns on free ports of 127.0.0.1 with the
same settings (DEBUG off, 2 sync workers) -- the product (bench.settings) and the bare reference (bench/bare/: a
`startproject` with the default middleware, one `SELECT 1`, a tiny template) -- then load each page of the plan
(bench/plan.py) for a fixed time at a fixed concurrency: with `wrk -t2 -cN -dS` when wrk is on the PATH (the
Debian package `wrk`), otherwise with the Python generator (bench/loadgen.py) in its own process at a fixed
rate. Each page is measured `--runs` times (passes over the whole plan, after a warm-up pass); its figures are
the median of the passes. The table names the load tool.

Measured per page: p50, p95, requests/s, errors (no answer, or a status >= 400), queries per request (the
X-Query-Count header of bench.settings' middleware) and the page's size. After the run: each gunicorn worker's
resident memory after the first and the last pass.

Targets (issue 19): the baseline <= 1.3x the bare view; every page <= 3x the baseline at each scale; p50 growth
1x -> 10x <= 1.5x; uncached reports <= 5x the baseline; zero errors. The last four lines are, in this form:

    baseline vs bare Django: <x>
    worst ratio to baseline: <x> (<page>)
    worst growth 1x -> 10x: <x> (<page>)
    uncached reports: <ms> ms (<x> baseline)

`--profile PAGE` instead writes a pyinstrument report of one request of that page (bench/profile.py).
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import wrk
from bench.plan import PAGES
from bench.seed import bench_env, label_for, meta_path, sqlite_path
from bench.server import Gunicorn, QCluster, load, python

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
COLD_PAGES = {"reports"}  # reports/views.py caches the report: also measure what a cache miss costs
LIMIT_BARE, LIMIT_PAGE, LIMIT_COLD, LIMIT_GROWTH = 1.3, 3.0, 5.0, 1.5
YARDSTICKS = {"bare Django", "baseline"}


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
    check = subprocess.run([sys.executable, "manage.py", "migrate", "--check"], env=env, cwd=BASE_DIR,
                           capture_output=True, timeout=120)
    return check.returncode == 0


def django_snippet(env: dict, code: str, timeout: float = 120) -> str:
    out = subprocess.run([sys.executable, "-c", "import django;django.setup()\n" + code], env=env, cwd=BASE_DIR,
                         capture_output=True, text=True, timeout=timeout)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else json.dumps({"error": out.stderr[-500:]})


def booked_count(env: dict, scale: float) -> dict:
    """How many bench bookers hold a booking now (to check the booking POSTs really booked)."""
    code = (
        "import json;from bench.seed import meta_path;from bench.fixtures import model;Booking=model('Booking')\n"
        f"m=json.loads(meta_path({scale!r}).read_text());ids=[b['company_id'] for b in m['sessions']['bookers']]\n"
        "qs=Booking.objects.filter(company_id__in=ids)\n"
        "print(json.dumps({'bookings': qs.count(), 'confirmed': qs.filter(status='confirmed').count()}))"
    )
    try:
        return json.loads(django_snippet(env, code))
    except ValueError:
        return {"error": "unreadable"}


class Cluster:
    """A task cluster, only while /healthz is measured: the health check wants a fresh heartbeat."""

    def __init__(self, env: dict, port: int, name: str):
        self.env = {**env, "Q_WORKERS": "1", "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        self.port, self.name, self.q = port, name, None

    def __enter__(self):
        # The queue holds the earlier passes' booking mails: the cluster must idle, not send them meanwhile.
        django_snippet(self.env, "from django_q.models import OrmQ;OrmQ.objects.all().delete();print('{}')")
        self.q = QCluster(self.env, name=self.name)
        self.q.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            health = wrk.probe(self.port, {"path": "/healthz", "headers": {"Host": "127.0.0.1"}}, times=1)
            if health["statuses"] == [200]:
                break
            time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        self.q.stop()


def measure(entry: dict, port: int, args, tool: str) -> dict:
    spec = {"port": port, "seconds": args.seconds, "concurrency": args.connections, "threads": 2,
            "mode": entry["mode"], "requests": entry["requests"], "warmup": 3, "timeout": 30}
    if tool == "wrk":
        return wrk.run(spec)
    spec.update(rate="auto", server_workers=args.workers, warmup=20, timeout=60)
    return load(spec, os.environ.copy())


def summarise(passes: list[dict]) -> dict:
    """The median of each figure over the passes; errors and requests add up."""
    ok = [p for p in passes if p.get("p50_ms") is not None]
    out = {"status": "ok", "passes": len(passes), "tool": passes[0].get("tool")}
    for key in ("p50_ms", "p95_ms", "rps", "queries_median", "bytes_per_request"):
        values = [p[key] for p in ok if p.get(key) is not None]
        out[key] = round(statistics.median(values), 1) if values else None
    out["p50_each"] = [p.get("p50_ms") for p in passes]
    out["queries_max"] = max((p.get("queries_max") or 0 for p in passes), default=None)
    out["errors"] = sum(p.get("errors", 0) for p in passes)
    out["requests"] = sum(p.get("requests", 0) for p in passes)
    out["samples"] = [s for p in passes for s in p.get("samples", [])][:3]
    return out


def bench_scale(scale: float, args, env: dict, tool: str) -> dict:
    label = label_for(scale)
    meta = seed(scale, env, args.reuse)
    wanted = set(args.pages.split(",")) if args.pages else None
    n_book = args.bookings * args.runs
    plan = json.loads(python("bench.plan", "--scale", f"{scale:g}", "--bookings", str(n_book), env=env))
    plan = [e for e in plan if wanted is None or e["page"] in wanted or e["page"] in YARDSTICKS]
    booking = next((e for e in plan if e["kind"] == "booking" and e["status"] == "ok"), None)
    before = booked_count(env, scale) if booking else None
    passes: dict[str, list] = {e["page"]: [] for e in plan}
    rss: list[tuple[str, dict]] = []
    cold: list[float] = []
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
    with Gunicorn(env, workers=args.workers, name=label) as server, \
            Gunicorn(bare_env, workers=args.workers, name=f"{label}-bare", app="bench.bare.wsgi:application") as bare:
        for entry in plan:  # warm-up pass: templates compiled, connections open, caches filled in both workers
            if entry["status"] == "ok" and entry["mode"] == "repeat":
                wrk.probe(bare.port if entry["kind"] == "bare" else server.port, entry["requests"][0], times=4)
        rss.append(("after the warm-up", server.worker_rss()))
        for n in range(args.runs):
            for entry in plan:
                page = entry["page"]
                if entry["status"] != "ok":
                    continue
                run_entry = entry
                if entry["mode"] == "each-once":  # each pass books its own slots with its own companies
                    share = entry["requests"][n::args.runs]
                    run_entry = {**entry, "requests": share}
                port = bare.port if entry["kind"] == "bare" else server.port
                if entry.get("needs_cluster"):
                    with Cluster(env, server.port, label):
                        result = measure(run_entry, port, args, tool)
                else:
                    result = measure(run_entry, port, args, tool)
                passes[page].append(result)
                print(f"[{label}] pass {n + 1}/{args.runs} {page:20} p50 {result['p50_ms']} ms  p95 "
                      f"{result['p95_ms']} ms  {result['rps']} req/s  errors {result['errors']}  queries "
                      f"{result['queries_median']}", flush=True)
                if result.get("samples") and result["errors"]:
                    print(f"           first error: {str(result['samples'][0])[:300]}", flush=True)
            rss.append((f"after pass {n + 1}", server.worker_rss()))
        for entry in plan:
            if entry["page"] in COLD_PAGES and entry["status"] == "ok":
                out = json.loads(python("bench.cold", env=env, stdin=json.dumps(
                    {"port": server.port, "path": entry["requests"][0]["path"],
                     "headers": entry["requests"][0]["headers"]})))
                cold = out["latencies_ms"]
                print(f"[{label}] {entry['page']} uncached (cache cleared before each of 3 requests): {cold} ms",
                      flush=True)
        log = server.log_text()
    rows = {}
    for entry in plan:
        if entry["status"] != "ok" or not passes[entry["page"]]:
            rows[entry["page"]] = {"status": entry["status"]}
            continue
        rows[entry["page"]] = summarise(passes[entry["page"]])
        rows[entry["page"]]["path"] = entry["requests"][0]["path"]
    if cold and "reports" in rows:
        rows["reports"]["cold_ms"] = sorted(cold)[len(cold) // 2]
        rows["reports"]["cold_each"] = cold
    if before is not None and rows.get("booking POST", {}).get("status") == "ok":
        after = booked_count(env, scale)
        made = after.get("bookings", 0) - before.get("bookings", 0)
        rows["booking POST"]["bookings_made"] = made
        rows["booking POST"]["not_booked"] = max(0, rows["booking POST"]["requests"] - made)
        print(f"[{label}] booking POST: {made} bookings made by {rows['booking POST']['requests']} requests",
              flush=True)
    return {"scale": scale, "label": label, "seed_seconds": meta.get("seed_seconds"),
            "migrate_seconds": meta.get("migrate_seconds"), "counts": meta.get("counts"),
            "skipped": meta.get("skipped", []), "rows": rows, "rss": rss,
            "server_log_tracebacks": log.count("Traceback"), "server_log_locked": log.count("database is locked")}


def evaluate(runs: list[dict]) -> dict:
    """The table rows and the four verdicts of the last lines."""
    small, large = runs[0], (runs[-1] if len(runs) > 1 else None)
    table = []
    worst_ratio, worst_growth = (0.0, ""), (0.0, "")
    for page, _names, _role, _kind in PAGES:
        r1 = small["rows"].get(page, {})
        r10 = large["rows"].get(page, {}) if large else {}
        row = {"page": page, "status": r1.get("status", "not measured")}
        if r1.get("status") != "ok":
            table.append(row)
            continue
        row.update(small=r1, large=r10 if r10.get("status") == "ok" else None)
        ratios = {}
        for run in runs:
            r, base = run["rows"].get(page, {}), run["rows"].get("baseline", {}).get("p50_ms")
            if r.get("status") == "ok" and base:
                ratios[run["label"]] = round(r["p50_ms"] / base, 2)
        row["ratios"] = ratios
        row["ratio"] = max(ratios.values()) if ratios else None
        growth = None
        if row["large"] and r1["p50_ms"]:
            growth = round(row["large"]["p50_ms"] / r1["p50_ms"], 2)
        row["growth"] = growth
        errors = sum((r.get("errors") or 0) + (r.get("not_booked") or 0) for r in (r1, r10) if r)
        row["errors"] = errors
        if page not in YARDSTICKS and row["ratio"] is not None:
            row["ratio_ok"] = row["ratio"] <= LIMIT_PAGE
            if row["ratio"] > worst_ratio[0]:
                worst_ratio = (row["ratio"], page)
        if page not in YARDSTICKS and growth is not None:
            row["growth_ok"] = growth <= LIMIT_GROWTH
            if growth > worst_growth[0]:
                worst_growth = (growth, page)
        table.append(row)
    bare = small["rows"].get("bare Django", {}).get("p50_ms")
    base = small["rows"].get("baseline", {}).get("p50_ms")
    last = runs[-1]
    cold = last["rows"].get("reports", {}).get("cold_ms")
    last_base = last["rows"].get("baseline", {}).get("p50_ms")
    return {
        "table": table,
        "bare_ratio": round(base / bare, 2) if base and bare else None,
        "worst_ratio": worst_ratio, "worst_growth": worst_growth,
        "cold": (cold, round(cold / last_base, 2) if cold and last_base else None, last["label"]),
    }


def fmt(v) -> str:
    return "—" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def print_table(result: dict, runs: list[dict], tool: str) -> None:
    l1, l2 = runs[0]["label"], runs[-1]["label"]
    two = len(runs) > 1
    print()
    print(f"load tool: {tool}")
    head = (f"{'page':20} {'p50 ' + l1:>9} {'p95 ' + l1:>9} {'req/s':>7} {'q/req':>5} {'kB':>5} "
            + (f"{'p50 ' + l2:>9} {'q/req':>5} " if two else "")
            + f"{'x base':>7} {'growth':>6} {'errors':>6}  verdict")
    print(head)
    for row in result["table"]:
        if row["status"] != "ok":
            print(f"{row['page']:20} {row['status']}")
            continue
        s, g = row["small"], row["large"] or {}
        kb = round(s["bytes_per_request"] / 1024, 1) if s.get("bytes_per_request") else None
        verdicts = []
        if row["page"] == "baseline" and result["bare_ratio"] is not None:
            verdicts.append(("PASS" if result["bare_ratio"] <= LIMIT_BARE else "MISS")
                            + f" {result['bare_ratio']:g}x bare <= {LIMIT_BARE:g}")
        if "ratio_ok" in row:
            verdicts.append(("PASS" if row["ratio_ok"] else "MISS") + f" ratio<={LIMIT_PAGE:g}")
        if "growth_ok" in row:
            verdicts.append(("PASS" if row["growth_ok"] else "MISS") + f" growth<={LIMIT_GROWTH:g}")
        verdicts.append(("PASS" if row["errors"] == 0 else "MISS") + " errors=0")
        if s.get("cold_ms"):
            verdicts.append(f"uncached: {s['cold_ms']:g} ms at {l1}"
                            + (f", {g['cold_ms']:g} ms at {l2}" if g.get("cold_ms") else ""))
        ratio = " / ".join(fmt(v) for v in row["ratios"].values()) if row["page"] not in YARDSTICKS else "—"
        print(f"{row['page']:20} {fmt(s['p50_ms']):>9} {fmt(s['p95_ms']):>9} {fmt(s['rps']):>7} "
              f"{fmt(s['queries_median']):>5} {fmt(kb):>5} "
              + (f"{fmt(g.get('p50_ms')):>9} {fmt(g.get('queries_median')):>5} " if two else "")
              + f"{ratio:>7} {fmt(row['growth']):>6} {row['errors']:>6}  {', '.join(verdicts)}")
    print(f"x base: p50 / the baseline's p50 at the same scale ({' / '.join(r['label'] for r in runs)})"
          + (f"; growth: p50 at {l2} / p50 at {l1}" if two else ""))


def print_memory(runs: list[dict]) -> None:
    for run in runs:
        rss = run["rss"]
        for when, sizes in rss:
            print(f"[{run['label']}] gunicorn workers' RSS {when}: "
                  + ", ".join(f"pid {pid} {mb:g} MB" for pid, mb in sorted(sizes.items())))
        first = rss[1][1] if len(rss) > 2 else rss[0][1]
        last = rss[-1][1]
        same = [pid for pid in first if pid in last]
        if same:
            growth = max((last[pid] - first[pid]) / first[pid] * 100 for pid in same)
            print(f"[{run['label']}] worker memory from the first to the last pass: {growth:+.1f} % (largest change; "
                  f"target within 10 %){'' if len(same) == len(last) else ' -- a worker was replaced'}")
        else:
            print(f"[{run['label']}] worker memory: the workers were replaced during the run")


def profile(args) -> int:
    extra = ["--page", args.profile, "--scale", args.scales.split(",")[0], "--pyinstrument"]
    return subprocess.run([sys.executable, "-m", "bench.profile", *extra], cwd=BASE_DIR).returncode


def main(argv=None) -> int:  # noqa: C901 -- one linear script, clearer in one piece
    parser = argparse.ArgumentParser(description="Probono benchmark (issues 7 and 19)")
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", "--concurrency", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3, help="passes over the plan; each page's median is reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bookings", type=int, default=450, help="booking POSTs prepared per pass")
    parser.add_argument("--pages", default="", help="only these rows (comma-separated; the yardsticks always run)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even with wrk")
    parser.add_argument("--reuse", action="store_true", help="reuse seeded SQLite databases when present")
    parser.add_argument("--max-seed-seconds", type=float, default=900)
    parser.add_argument("--profile", metavar="PAGE", help="write a pyinstrument report of one request of PAGE")
    parser.add_argument("--from-json", help="print the table of an earlier results file instead of measuring")
    args = parser.parse_args(argv)
    if args.profile:
        return profile(args)
    if args.from_json:
        earlier = json.loads(Path(args.from_json).read_text())
        return finish(earlier["runs"], earlier["tool"], earlier.get("notes", []), write=False)
    tool = "wrk" if wrk.available() and not args.python_load else "python"
    tool_text = (f"wrk ({wrk.available()}) -t2 -c{args.connections} -d{args.seconds:g}s" if tool == "wrk" else
                 f"the Python generator (bench/loadgen.py, wrk is not on the PATH) in its own process, "
                 f"{args.connections} clients at a fixed rate of 50 % of the page's capacity, {args.seconds:g} s")
    print(f"load tool: {tool_text}", flush=True)
    scales = [float(s) for s in args.scales.split(",")]
    load_avg = os.getloadavg()
    notes = [f"machine: {os.cpu_count()} CPU cores shared with other engineers' work (load average "
             f"{load_avg[0]:.2f} at the start); load generator and servers on the same cores",
             f"{args.workers} gunicorn sync workers, {args.connections} connections, {args.seconds:g} s per page, "
             f"median of {args.runs} pass(es) after a warm-up pass, database: "
             f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite (WAL)'}"]
    runs = []
    for i, scale in enumerate(scales):
        if i > 0 and runs and runs[0].get("seed_seconds") and scale > scales[0] and not (
                args.reuse and meta_path(scale).exists()):
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
        runs.append(bench_scale(scale, args, bench_env(scale), tool))
    notes.append(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return finish(runs, tool_text, notes, write=True, args=args)


def finish(runs: list[dict], tool: str, notes: list[str], *, write: bool, args=None) -> int:
    result = evaluate(runs)
    print_table(result, runs, tool)
    print_memory(runs)
    for run in runs:
        for what in run["skipped"]:
            print(f"[{run['label']}] seed skipped: {what}")
        if run["server_log_tracebacks"] or run["server_log_locked"]:
            print(f"[{run['label']}] server log: {run['server_log_tracebacks']} tracebacks, "
                  f"{run['server_log_locked']} 'database is locked'")
    for note in notes:
        print(f"note: {note}")
    missing = [r["page"] for r in result["table"] if r["status"] != "ok"]
    errors = sum(r.get("errors", 0) for r in result["table"] if r["status"] == "ok")
    print(f"pages not measured: {', '.join(missing) or 'none'}; errors: {errors}")
    if write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        engine = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        document = json.dumps({
            "finished_at": datetime.now(UTC).isoformat(), "host": platform.node(), "cpus": os.cpu_count(),
            "tool": tool, "notes": notes, "args": vars(args) if args else {}, "runs": runs,
            "table": result["table"], "database": engine,
        }, indent=1, default=str)
        (RESULTS / "latest.json").write_text(document)
        (RESULTS / f"latest-{engine}.json").write_text(document)
    wr, wg, (cold, cold_x, _label) = result["worst_ratio"], result["worst_growth"], result["cold"]
    print(f"baseline vs bare Django: {fmt(result['bare_ratio'])}")
    print(f"worst ratio to baseline: {wr[0]:.2f} ({wr[1] or 'no page measured'})")
    print(f"worst growth 1x -> 10x: {wg[0]:.2f} ({wg[1] or 'one scale only'})" if len(runs) > 1 else
          "worst growth 1x -> 10x: — (one scale only)")
    print(f"uncached reports: {fmt(cold)} ms ({fmt(cold_x)} baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
