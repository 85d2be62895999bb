"""Issue 16 items 1, 3 and 5 for Junior: bounded text requests, probes under load, serving readiness."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from apps.junior.app import create_app
from apps.junior.pipeline import JuniorPipeline
from apps.junior.settings import JuniorSettings


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024  # type: ignore[union-attr]


def test_text_endpoint_has_its_own_small_body_limit(client: TestClient) -> None:
    limit = client.app.state.settings.max_text_body_bytes  # type: ignore[attr-defined]
    assert limit <= 128 * 1024  # not the 15 MB image limit
    padded = b'{"text": "Le chat dort.", "target_difficulty": 1' + b" " * limit + b"}"
    res = client.post(
        "/v1/process-text", content=padded, headers={"content-type": "application/json"}
    )
    assert res.status_code == 413
    assert "too large" in res.json()["detail"]


def test_too_many_sentences_is_413(client: TestClient) -> None:
    limit = client.app.state.settings.max_sentences  # type: ignore[attr-defined]
    text = "Il dort. " * (limit + 10)
    res = client.post("/v1/process-text", json={"text": text})
    assert res.status_code == 413
    assert f"limit {limit}" in res.json()["detail"]


def test_encoder_runs_clipped_length_sorted_small_batches(
    pipeline: JuniorPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder: Any = pipeline.encoder
    calls: list[list[str]] = []
    real = encoder.session

    class Spy:
        def run(self, names: Any, feeds: dict[str, Any]) -> Any:
            calls.append(list(next(iter(feeds.values()))))
            return real.run(names, feeds)

    monkeypatch.setattr(encoder, "session", Spy())
    long = "le renard regarde la glace du lac " * 300
    texts = [long] + [f"Zoé se regarde dans la glace {i}." for i in range(20)]
    vectors = encoder.encode(texts)
    assert vectors.shape == (21, encoder.dim)
    assert max(len(batch) for batch in calls) <= pipeline.settings.encode_batch_size
    assert max(len(t.split()) for batch in calls for t in batch) <= encoder.max_words
    assert calls[-1][-1].startswith("le renard")  # sorted by length: the long one comes last
    assert not any(t.startswith("le renard") for batch in calls[:-1] for t in batch)
    assert not real.get_session_options().enable_cpu_mem_arena


def test_run_on_sentence_does_not_grow_memory(client: TestClient) -> None:
    """One run-on sentence plus short ones (19 KB) took Junior from 1.9 GB to 7.6 GB and kept it."""
    long = "le renard regarde la glace du lac et la carte du trésor dans la forêt " * 190
    text = long + ". " + "Zoé se regarde dans la glace. " * 150
    assert 18_000 < len(text.encode()) < 20_000
    before = rss_mb()
    res = client.post("/v1/process-text", json={"text": text})
    assert res.status_code == 200
    grown = rss_mb() - before
    assert grown < 250, f"RSS grew by {grown:.0f} MB"


class SlowPipeline:
    """Stands in for the models: each text takes ``seconds`` of a worker thread."""

    def __init__(self, settings: JuniorSettings, seconds: float) -> None:
        self.settings = settings
        self.seconds = seconds

    def process_text(self, text: str, target: int) -> list[dict[str, Any]]:
        time.sleep(self.seconds)
        return []


def test_health_stays_fast_under_60_concurrent_text_requests(
    junior_settings: JuniorSettings,
) -> None:
    """Queued requests used to hold every threadpool thread, so /health took 2.4-9.5 s."""
    settings = junior_settings.model_copy(update={"max_inflight": 4, "queue_timeout_s": 1.0})

    def slow(conf: JuniorSettings, engine: Engine) -> Any:
        return SlowPipeline(conf, 1.5)

    with TestClient(create_app(settings, builder=slow)) as client:
        deadline = time.monotonic() + 10
        while client.app.state.pipeline is None and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        with ThreadPoolExecutor(max_workers=64) as pool:
            posts = [
                pool.submit(client.post, "/v1/process-text", json={"text": "Le chat dort."})
                for _ in range(60)
            ]
            time.sleep(0.3)  # every request has arrived
            probes = []
            for _ in range(5):
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                probes.append(time.perf_counter() - started)
                time.sleep(0.1)
            started = time.perf_counter()
            serving = client.get("/ready/serving")
            probes.append(time.perf_counter() - started)
            codes = [p.result(timeout=30).status_code for p in posts]
    assert max(probes) < 0.5, probes
    assert serving.status_code == 200
    assert codes.count(200) >= 4  # the admitted ones
    assert set(codes) <= {200, 503}
    assert codes.count(503) >= 40  # refused after the short deadline, not queued on threads


def test_serving_readiness_before_models_and_during_database_outage(
    junior_settings: JuniorSettings,
) -> None:
    release = threading.Event()

    def gated(conf: JuniorSettings, engine: Engine) -> Any:
        release.wait(10)
        return SlowPipeline(conf, 0.0)

    settings = junior_settings.model_copy(
        update={"database_url": "postgresql://nobody@127.0.0.1:1/none", "db_connect_timeout_s": 1}
    )
    with TestClient(create_app(settings, builder=gated)) as client:
        assert client.get("/ready/serving").status_code == 503  # models not loaded yet
        release.set()
        deadline = time.monotonic() + 10
        while client.get("/ready/serving").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert client.get("/ready/serving").json() == {"ready": True, "checks": {"models": True}}
        ready = client.get("/ready")  # the database is unreachable: /ready keeps its meaning
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": False, "models": True}


def test_heap_is_trimmed_after_each_page(
    pipeline: JuniorPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decode and OCR buffers go back to the OS after a page, even when the page is refused."""
    from apps.junior import memory
    from apps.junior import pipeline as module
    from apps.junior.images import ImageRejected

    assert memory.trim() is True  # glibc: the function exists and runs
    calls: list[int] = []
    monkeypatch.setattr(module, "trim", lambda: calls.append(1) or True)
    with pytest.raises(ImageRejected):
        pipeline.process_image(b"not an image", 1)
    assert calls == [1]


def test_encoder_library_is_found_without_importing_transformers() -> None:
    """onnxruntime_extensions' __init__ imports transformers (+80 MB RSS, seconds of start-up)."""
    import subprocess
    import sys

    code = (
        "import sys; from apps.junior.encoder import extensions_library; "
        "p = extensions_library(); import os; assert os.path.isfile(p), p; "
        "print('transformers' in sys.modules, 'onnxruntime_extensions' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
