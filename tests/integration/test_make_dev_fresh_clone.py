"""`make dev` on a fresh clone brings both APIs to ready with no other command.

The clone has no model files (apps/junior/models/*.onnx is git-ignored), so this proves that
`make dev` fetches them itself. The clone reuses this checkout's virtualenv (creating one is what
`.ci/run` already proves on its own fresh clone) and gets its own ports and data folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts.pgserver import LocalPostgres, free_port

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 300.0


def ready(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        return 0, str(exc)


@pytest.mark.timeout(600)
def test_make_dev_from_a_fresh_clone_gets_both_apis_ready(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    assert not list((clone / "apps/junior/models").glob("*.onnx")), (
        "the clone must start without models"
    )
    (clone / ".venv").symlink_to(ROOT / ".venv")
    # The shared venv is up to date: make its requirement files older than its stamp so that
    # `make venv` inside the clone does not re-point the editable install at the clone.
    for req in [*(clone / "requirements").glob("*.txt"), clone / "pyproject.toml"]:
        os.utime(req, (946684800, 946684800))
    quiz_port, junior_port, pg_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DEV_DIR": str(tmp_path / "dev"),
        "DEV_PG_PORT": str(pg_port),
        "QUIZ_PORT": str(quiz_port),
        "JUNIOR_PORT": str(junior_port),
        "QUIZ_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "make-dev.log").open("wb")
    proc = subprocess.Popen(
        ["make", "-C", str(clone), "dev"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    answers: dict[str, tuple[int, str]] = {}
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            answers = {"quiz": ready(quiz_port), "junior": ready(junior_port)}
            if all(status == 200 for status, _ in answers.values()):
                break
            time.sleep(3)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()
        server = LocalPostgres(tmp_path / "dev" / "pgdata", pg_port)
        if server.is_running():
            server.stop("immediate")
    output = (tmp_path / "make-dev.log").read_text(errors="replace")[-4000:]
    assert answers.get("quiz", (0, ""))[0] == 200, f"quiz not ready: {answers}\n{output}"
    assert answers.get("junior", (0, ""))[0] == 200, f"junior not ready: {answers}\n{output}"
    assert json.loads(answers["junior"][1]), output
    assert list((clone / "apps/junior/models").glob("*.onnx")), "make dev did not fetch the models"
