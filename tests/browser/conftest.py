"""Browser tests: Debian's chromium driven by Playwright against the real APIs under uvicorn.

Chromium is installed from Debian when missing and running as root (as ``scripts/pgserver.py``
installs PostgreSQL); otherwise the tests fail and say what to install. Playwright never
downloads a browser here: it launches ``/usr/bin/chromium``. The README's screenshots come from
``scripts/screenshots.py`` (real seed dictionary under ``make dev``), not from these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from apps.junior.tooling.dev_dictionary import build_dictionary
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch
from scripts.pgserver import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "quiz"))  # quiz_fixture: the quiz tests' dictionary
from quiz_fixture import load_fixture  # noqa: E402

APT_LOCK_WAIT_S = "300"


def chromium_path() -> str:
    """Debian's chromium, installed with apt-get when missing and root; else a clear failure."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("browser tests: installing chromium from Debian (apt-get)", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}"]
        subprocess.run(["apt-get", *lock, "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", *lock, "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            check=True,
            env=env,
        )
        found = shutil.which("chromium")
        if found:
            return found
    pytest.fail(
        "browser tests need Debian's chromium: run `sudo apt-get install chromium` "
        "(or run the suite as root, which installs it)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def find_chromium() -> Callable[[], str]:
    """The chromium lookup itself (its failure path is tested)."""
    return chromium_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (the system one) shared by the session."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "browser tests need the `playwright` package: run `make venv` "
            "(it is pinned in requirements/dev.txt); never `playwright install`",
            pytrace=False,
        )
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A page with what went wrong in it: console errors and uncaught exceptions."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def unexpected_errors(self, *allowed: str) -> list[str]:
        """Errors whose text contains none of ``allowed``."""
        return [e for e in self.errors if not any(a in e for a in allowed)]


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A fresh page (own context: empty sessionStorage) recording console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    result = Tab(page)
    page.on(
        "console",
        lambda msg: result.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: result.errors.append(f"pageerror: {exc}"))
    try:
        yield result
    finally:
        context.close()


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """``screenshot(page, name)``: a full-page PNG in the test's tmp_path, to look at a failure."""

    def take(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # sticky panels then sit where a reader sees them
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@contextmanager
def live_server(
    module: str, env: dict[str, str], log_path: Path, ready_timeout_s: float
) -> Iterator[str]:
    """``module:app`` under uvicorn on a free 127.0.0.1 port; yields its base URL once ready."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"{module}:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + ready_timeout_s
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"{module} exited ({proc.returncode}):\n{log_path.read_text()}")
                try:
                    if httpx.get(base + "ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{module} not ready in {ready_timeout_s} s:\n{log_path.read_text()}"
                    )
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def quiz_db(scratch_database: Callable[[str], str]) -> str:
    """A database with the quiz tests' dictionary and the 60 demo learners."""
    url = scratch_database("browserquiz")
    load_fixture(url)
    return url


@pytest.fixture(scope="session")
def quiz_url(quiz_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Quiz API (uvicorn) on the fixture database."""
    log = tmp_path_factory.mktemp("quiz-server") / "uvicorn.log"
    env = {"DATABASE_URL": quiz_db, "QUIZ_RANDOM_SEED": "1", "QUIZ_LOG_JSON": "false"}
    with live_server("apps.quiz.app", env, log, ready_timeout_s=60) as base:
        yield base


@pytest.fixture(scope="session")
def junior_db(scratch_database: Callable[[str], str]) -> str:
    """A database with the schema and the curated senses Junior's tests use."""
    url = scratch_database("browserjunior")
    build_dictionary(url)
    return url


@pytest.fixture(scope="session")
def junior_url(junior_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a warmed Junior API (uvicorn, OCR on) on the test dictionary."""
    work = tmp_path_factory.mktemp("junior-server")
    env = {
        "DATABASE_URL": junior_db,
        "JUNIOR_USE_MODEL_PATH": str(fetch(DEFAULT_TARGET)),
        "JUNIOR_CACHE_DIR": str(work / "cache"),
        "JUNIOR_ONNX_THREADS": "2",
        "JUNIOR_LOG_JSON": "false",
    }
    with live_server("apps.junior.app", env, work / "uvicorn.log", ready_timeout_s=300) as base:
        yield base


# WCAG 2.1 contrast of every visible text against its nearest opaque background (AA: 4.5:1,
# 3:1 for large text). Alpha-blended backgrounds are not composed: the page uses opaque ones.
CONTRAST_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg, option, .visually-hidden")) continue;
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const [L1, L2] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))].sort((a, b) => b - a);
    const ratio = (L1 + 0.05) / (L2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}
"""


@pytest.fixture(scope="session")
def low_contrast_texts() -> Callable[[Any], list[str]]:
    """``low_contrast_texts(page)``: visible texts below WCAG AA contrast (empty when all pass)."""

    def check(page: Any) -> list[str]:
        result: list[str] = page.evaluate(CONTRAST_JS)
        return result

    return check
