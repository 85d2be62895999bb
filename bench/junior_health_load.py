"""``/health`` latency of a real Junior while 60 text requests arrive at once (issue 16 item 3).

.venv/bin/python scripts/pgserver.py run -- .venv/bin/python bench/junior_health_load.py
(``--code-root DIR`` measures another checkout, e.g. the commit before the fix)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.junior_bench import hundred_words  # noqa: E402
from bench.junior_text_memory import junior_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrent", type=int, default=60)
    parser.add_argument("--words", type=int, default=1000, help="words per text request")
    parser.add_argument("--code-root", type=Path, default=ROOT)
    args = parser.parse_args()
    hundred = hundred_words()
    text = " ".join([hundred] * (args.words // 100))
    with junior_server(args.code_root, JUNIOR_OCR="false") as (client, _):
        base = str(client.base_url)

        def post(_: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as own:
                return own.post("/v1/process-text", json={"text": text}).status_code

        probes: list[float] = []
        with ThreadPoolExecutor(max_workers=args.concurrent) as pool:
            started = time.perf_counter()
            futures = [pool.submit(post, i) for i in range(args.concurrent)]
            time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=30) as probe:
                while not all(f.done() for f in futures) and len(probes) < 200:
                    t0 = time.perf_counter()
                    probe.get("/health").raise_for_status()
                    probes.append(time.perf_counter() - t0)
                    time.sleep(0.05)
            codes = Counter(f.result() for f in futures)
            wall = time.perf_counter() - started
    print(
        f"{args.concurrent} concurrent /v1/process-text ({len(text.split())} words): "
        f"statuses {dict(codes)}, all done in {wall:.1f} s"
    )
    print(
        f"/health during the burst: n={len(probes)}, median {statistics.median(probes) * 1000:.0f} ms, "
        f"max {max(probes) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
