"""``make bench-quiz``: wrk against POST /get_recommendations over the seed dump's learners.

Starts a private PostgreSQL, restores data/lsf_app_dump.sql.gz with vocabulo-restore, runs the
Quiz API under uvicorn on 127.0.0.1:8001 with 1 then 2 workers (or uses ``--url`` of a running
one), and drives it with wrk (a Lua script rotates the user ids; the service has no
per-learner cache, so every request reads the history and runs the model). Records latency,
throughput, the load average and the CPU time per request of the service, of PostgreSQL and
of wrk (/proc and getrusage deltas: less sensitive to a busy machine than latency). Writes the
``bench:quiz`` section of docs/benchmarks.md with ``--write-docs``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.pgserver import LocalPostgres, restore_dump  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
DUMP = ROOT / "data" / "lsf_app_dump.sql.gz"
START, END = "<!-- bench:quiz:start -->", "<!-- bench:quiz:end -->"
TARGETS = {"p50_ms": 15.0, "p99_ms": 50.0, "rps": 150.0}

LUA = """
ids = {%s}
local n = 0
init = function(args) n = math.random(1, #ids) end
request = function()
  n = n + 1
  local body = '{"user_id": "' .. ids[(n %% #ids) + 1] .. '"}'
  return wrk.format("POST", "/get_recommendations", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"p50_ms": %%.3f, "p90_ms": %%.3f, "p99_ms": %%.3f, "max_ms": %%.3f, '
    .. '"requests": %%d, "seconds": %%.2f, "socket_errors": %%d, "non_2xx": %%d}\\n',
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def load() -> str:
    """The 1/5/15-minute load averages."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its direct children (uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_cpu(server: LocalPostgres | None) -> float:
    """User + system CPU seconds of the bench's own PostgreSQL (postmaster and backends)."""
    if server is None:
        return float("nan")
    try:
        postmaster = int((server.datadir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return cpu_seconds(postmaster)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def restore(server: LocalPostgres) -> str:
    """Restore the seed dump into a fresh database; returns its URL."""
    return restore_dump(server, DUMP)


def start_service(url: str, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """uvicorn apps.quiz.app:app on 127.0.0.1:``port``, waiting until /ready answers 200."""
    env = {**os.environ, "DATABASE_URL": url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "apps.quiz.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited: see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"the service did not become ready: see {log}")


def run_wrk(base: str, users: list[str], seconds: int, connections: int, threads: int) -> dict:
    """One wrk run; returns its figures (latencies in ms, requests/s)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(f'"{u}"' for u in users))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                fh.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(fh.name)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    res = json.loads(line[len("RESULT ") :])
    res["rps"] = res["requests"] / res["seconds"]
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    res["wrk_cpu_ms"] = wrk_cpu * 1000 / max(res["requests"], 1)
    return res


def verdict(res: dict) -> dict[str, str]:
    """✅/❌ per target."""
    ok = {k: (res[k] <= v if k != "rps" else res[k] >= v) for k, v in TARGETS.items()}
    return {k: "✅" if v else "❌" for k, v in ok.items()}


def section(runs: list[tuple[str, dict]], facts: dict) -> str:
    """Markdown for docs/benchmarks.md: one table row per service variant."""
    rows = []
    nan = float("nan")
    for label, res in runs:
        m = verdict(res)
        svc, pg, wrk = (res.get(k, nan) for k in ("cpu_ms_per_request", "pg_cpu_ms", "wrk_cpu_ms"))
        rows.append(
            f"| {label} | {res['p50_ms']:.1f} {m['p50_ms']} | {res['p90_ms']:.1f} | "
            f"{res['p99_ms']:.1f} {m['p99_ms']} | {res['rps']:.0f} {m['rps']} | "
            f"{svc:.2f} / {pg:.2f} / {wrk:.2f} = {svc + pg + wrk:.2f} | "
            f"{res['load_before']} → {res['load_after']} | "
            f"{res['requests']} / {res['socket_errors']} / {res['non_2xx']} |"
        )
    table = "\n".join(rows)
    verdicts = []
    for label, res in runs:
        total = sum(res.get(k, nan) for k in ("cpu_ms_per_request", "pg_cpu_ms", "wrk_cpu_ms"))
        met = [k for k, v in verdict(res).items() if v == "✅"]
        verdicts.append(
            f"- {label}: targets met here: {', '.join(met) or 'none'}; CPU {total:.2f} ms a "
            f"request in all → on 2 idle cores ≈ {2000 / total:.0f} req/s, p50 ≈ "
            f"{8 * total / 2:.1f} ms (Little's law estimate, not a measurement)."
        )
    verdict_lines = "\n".join(verdicts)
    return f"""### Quiz API — `POST /get_recommendations`
Measured {facts["when"]} with `{facts["command"]}`: wrk {facts["threads"]} threads,
{facts["connections"]} connections, {facts["seconds"]} s per variant after a 3 s warm-up, a Lua
script rotating the {facts["users"]} learners of the seed dump ({facts["senses"]} senses).
**Per-learner cache: none** (the service has none), so every request reads the learner's
history (one prepared query) and scores {facts["candidates"]} candidate words with one ONNX
call. Service: `uvicorn apps.quiz.app:app --loop uvloop --http httptools --no-access-log
--workers N` on 127.0.0.1 (the JSON request log line stays on). Machine: {facts["machine"]}.
Load average (1 min, `uptime`) before → after each variant is in the table: the machine was
shared with other jobs, which inflates latency and lowers throughput.

| service | p50 ms (≤ 15) | p90 ms | p99 ms (≤ 50) | req/s (≥ 150) | CPU ms/request: service / PostgreSQL / wrk = total | load | requests / errors / non-2xx |
|---|---|---|---|---|---|---|---|
{table}

{verdict_lines}

Before this round of optimisation (same bench, load 4–5): 5.1 ms of service CPU a request,
1 worker 115 req/s, p50 65 ms, p99 233 ms. What changed: the history read became one
prepared statement on a non-blocking psycopg2 connection awaited on the event loop (no
threadpool, no pre-ping/rollback round trips, no pool overflow reconnects); numeric SQL
output parsed by numpy in one call; 300 model candidates instead of 600 (onnxruntime cost
is linear in rows: ~1.1 ms of service CPU saved), a quarter of the unseen draw kept for
`basique` words so the basics quota still fills; `gc.freeze()` after start-up.

**Deployment.** `make dev` runs the quiz with 2 uvicorn workers (`QUIZ_WORKERS`), which uses
both cores of a small host — the row the targets are judged on. In Kubernetes the chart runs
one worker per pod with a CPU limit of 1 and scales with replicas (HPA): the same per-request
CPU, spread over pods. The CPU column is the figure to
compare between runs: it depends little on the machine's load. With 8 connections always
busy, latency ≈ 8 / throughput (Little's law): p50 ≤ 15 ms needs ≈ 530 req/s, i.e. ≤ 3.8 ms
of CPU per request over both cores for service + PostgreSQL + wrk together, on a quiet machine.
The earlier service: 1.17 s p50 and 0.85 req/s on the same machine (EARLIER_VERSION.md)."""


def write_docs(text: str) -> None:
    """Replace only the quiz section of docs/benchmarks.md."""
    doc = DOCS.read_text(encoding="utf-8")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", help="a running Quiz API (default: start one on the seed dump)")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="uvicorn worker counts to measure (1 = as make dev)",
    )
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk (Debian)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
    server = None
    try:
        if args.url:
            db_url = os.environ.get("DATABASE_URL", "")
        else:
            server = LocalPostgres(workdir / "pg")
            server.start()
            db_url = restore(server)
        users, senses = learners(db_url)
        load_before = load()
        runs = []
        variants = (
            [("given URL", 0)]
            if args.url
            else [(f"{w} uvicorn worker{'s' if w > 1 else ''}", w) for w in args.workers]
        )
        for label, workers in variants:
            runs.append((label, bench_variant(args, db_url, users, workers, workdir, server)))
        facts = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "command": "make bench-quiz",
            "threads": args.threads,
            "connections": args.connections,
            "seconds": args.seconds,
            "users": len(users),
            "candidates": f"up to {os.environ.get('QUIZ_MAX_CANDIDATES', '300')}",
            "senses": f"{senses:,}",
            "machine": machine(),
            "load_before": load_before,
            "load_after": load(),
        }
        print(json.dumps({"runs": runs, **facts}, indent=2))
        if args.write_docs:
            write_docs(section(runs, facts))
            print(f"wrote the quiz section of {DOCS}")
        return 0
    finally:
        if server is not None:
            server.stop("fast")
        shutil.rmtree(workdir, ignore_errors=True)


def learners(db_url: str) -> tuple[list[str], int]:
    """Every learner id, and the number of senses."""
    with (
        psycopg2.connect(db_url.replace("postgresql+psycopg2", "postgresql")) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT user_id::text FROM authentication ORDER BY user_id")
        users = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT count(*) FROM mot")
        return users, int(cur.fetchone()[0])


def bench_variant(
    args: argparse.Namespace,
    db_url: str,
    users: list[str],
    workers: int,
    workdir: Path,
    server: LocalPostgres | None = None,
) -> dict:
    """Warm up then measure one service variant (``workers`` 0 = the ``--url`` service)."""
    proc = None
    try:
        if workers:
            port = args.port if port_free(args.port) else args.port + 100
            proc = start_service(db_url, port, workdir / f"quiz-{workers}.log", workers)
            base = f"http://127.0.0.1:{port}"
        else:
            base = args.url.rstrip("/")
        run_wrk(base, users, 3, args.connections, args.threads)  # warm-up
        cpu_before = cpu_seconds(proc.pid) if proc else 0.0
        pg_before = postgres_cpu(server)
        load_before = f"{os.getloadavg()[0]:.2f}"
        res = run_wrk(base, users, args.seconds, args.connections, args.threads)
        res["load_before"], res["load_after"] = load_before, f"{os.getloadavg()[0]:.2f}"
        n = max(res["requests"], 1)
        res["pg_cpu_ms"] = (postgres_cpu(server) - pg_before) * 1000 / n
        if proc:
            res["cpu_ms_per_request"] = (cpu_seconds(proc.pid) - cpu_before) * 1000 / n
        return res
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    raise SystemExit(main())
