"""``make bench-junior``: latency, per-stage time and memory of the Junior API, models warm.

Starts ``uvicorn apps.junior.app:app`` against a scratch database built from the curated senses
(or ``--existing-db``: DATABASE_URL as is, e.g. a restored seed dump), then times sequential
``/v1/process-text`` (100 words) and ``/process-image/`` (1240×1500 JPEG page photo) requests.
``--write-docs`` rewrites the junior section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apps.common.settings import database_url_from_env, libpq_url  # noqa: E402
from apps.junior.tooling.dev_dictionary import build_dictionary  # noqa: E402
from apps.junior.tooling.evaluation import load_page_renderer  # noqa: E402
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch  # noqa: E402
from apps.junior.tooling.quality_report import drop_database, scratch_database  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:junior:start -->", "<!-- bench:junior:end -->"
STAGES = ("decode", "ocr", "nlp", "senses")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hundred_words() -> str:
    """About 100 words of children's-book text (the evaluation pages' true text)."""
    pages = load_page_renderer()
    words = " ".join(pages.true_text(spec) for spec in pages.PAGES).split()
    return " ".join(words[:100])


def page_photo() -> bytes:
    """The 'photo' evaluation page (tilt, perspective, shadow, noise) as a 1240×1500 JPEG."""
    pages = load_page_renderer()
    spec = next(p for p in pages.PAGES if p.condition == "photo")
    buffer = BytesIO()
    pages.render(spec).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def stage_sums(client: httpx.Client) -> dict[str, tuple[float, float]]:
    """stage → (sum seconds, count) from /metrics."""
    text = client.get("/metrics").text
    found = {}
    for stage in STAGES:
        total = re.search(
            rf'vocabulo_junior_stage_duration_seconds_sum{{stage="{stage}"}} (\S+)', text
        )
        count = re.search(
            rf'vocabulo_junior_stage_duration_seconds_count{{stage="{stage}"}} (\S+)', text
        )
        found[stage] = (
            float(total.group(1)) if total else 0.0,
            float(count.group(1)) if count else 0.0,
        )
    return found


def timed_requests(client: httpx.Client, n: int, send) -> tuple[list[float], dict[str, float]]:
    """Latencies (ms) of ``n`` sequential requests and mean ms per stage over them."""
    before = stage_sums(client)
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        response = send()
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    after = stage_sums(client)
    stages = {
        stage: (after[stage][0] - before[stage][0]) * 1000 / n
        for stage in STAGES
        if after[stage][1] > before[stage][1]
    }
    return latencies, stages


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB."""
    fields = dict(
        re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    )
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> str:
    """Start the service, measure, stop it; returns the Markdown section."""
    admin = libpq_url(database_url_from_env())
    scratch = None
    url = admin
    if not args.existing_db:
        scratch, url = scratch_database(admin)
        build_dictionary(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JUNIOR_ONNX_THREADS": str(args.threads),
        "JUNIOR_LOG_LEVEL": "WARNING",
        "JUNIOR_USE_MODEL_PATH": str(fetch(DEFAULT_TARGET)),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "apps.junior.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            started = time.perf_counter()
            while True:
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - started > 600 or server.poll() is not None:
                    raise SystemExit("junior did not become ready")
                time.sleep(0.5)
            ready_s = time.perf_counter() - started
            text, image = hundred_words(), page_photo()

            def send_text() -> httpx.Response:
                return client.post("/v1/process-text", json={"text": text, "target_difficulty": 1})

            def send_image() -> httpx.Response:
                return client.post(
                    "/process-image/", files={"file": ("page.jpg", image, "image/jpeg")}
                )

            timed_requests(client, 3, send_text)
            timed_requests(client, 2, send_image)
            read = send_image().json()["original_text"]
            if "trésor" not in read:  # the page was really read, not skipped
                raise SystemExit(f"unexpected OCR text: {read!r}")
            text_ms, text_stages = timed_requests(client, args.text_requests, send_text)
            image_ms, image_stages = timed_requests(client, args.image_requests, send_image)
            rss, peak = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if scratch:
            drop_database(admin, scratch)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    stage_line = ", ".join(f"{k} {v:.0f} ms" for k, v in image_stages.items())
    text_stage_line = ", ".join(f"{k} {v:.1f} ms" for k, v in text_stages.items())
    return "\n".join(
        [
            f"Junior API, `make bench-junior` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}), "
            f"uvicorn 1 worker, {args.threads} ONNX threads, encoder `use`, sequential requests, "
            "models warm. Dictionary: "
            + (
                "DATABASE_URL as given"
                if args.existing_db
                else "curated senses (data/curation/senses.tsv)"
            )
            + ".",
            f"Load while measuring: `{load}`.",
            "",
            "| request | n | p50 | p90 | max | target |",
            "|---|---|---|---|---|---|",
            f"| `POST /v1/process-text`, {len(text.split())} words | {len(text_ms)} | "
            f"{statistics.median(text_ms):.0f} ms | {percentile(text_ms, 0.9):.0f} ms | "
            f"{max(text_ms):.0f} ms | p50 ≤ 250 ms |",
            f"| `POST /process-image/`, 1240×1500 JPEG photo page | {len(image_ms)} | "
            f"{statistics.median(image_ms) / 1000:.2f} s | {percentile(image_ms, 0.9) / 1000:.2f} s | "
            f"{max(image_ms) / 1000:.2f} s | p50 ≤ 2.0 s |",
            "",
            f"Time per stage (mean per request): image — {stage_line}; text — {text_stage_line}.",
            f"Memory of the service process: RSS {rss:.0f} MB after the run, peak {peak:.0f} MB "
            "(target ≤ 1.5 GB). Start-up to ready (models loaded, definitions embedded, warm-up): "
            f"{ready_s:.1f} s.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text-requests", type=int, default=40)
    parser.add_argument("--image-requests", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--existing-db", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    section = run(args)
    print(section)
    if args.write_docs:
        doc = DOCS.read_text(encoding="utf-8")
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        DOCS.write_text(f"{head}{START}\n{section}\n{END}{tail}", encoding="utf-8")
        print(f"updated {DOCS}")


if __name__ == "__main__":
    main()
