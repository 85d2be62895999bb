"""Story-page coverage: the share of content words of picture-book passages that Junior defines.

Posts each passage of ``tests/junior/eval/stories/*.txt`` to Junior's ``POST /v1/process-text``
(an in-process app on the database at DATABASE_URL, which must hold a restored seed dump) and
counts the words tagged NOUN, VERB, ADJ or ADV whose definition is not Junior's "not found".

    .venv/bin/python scripts/pgserver.py run -- .venv/bin/python scripts/story_coverage.py --restore
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STORIES_DIR = ROOT / "tests" / "junior" / "eval" / "stories"
CONTENT_POS = ("NOUN", "VERB", "ADJ", "ADV")


@dataclass
class Coverage:
    """Content words seen and defined, per story, and the words Junior did not find."""

    per_story: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (defined, all)
    missing: Counter[str] = field(default_factory=Counter)  # "word (lemma/POS)" → count

    @property
    def defined(self) -> int:
        return sum(d for d, _n in self.per_story.values())

    @property
    def total(self) -> int:
        return sum(n for _d, n in self.per_story.values())

    @property
    def share(self) -> float:
        return self.defined / self.total if self.total else 0.0


def stories(directory: Path = STORIES_DIR) -> dict[str, str]:
    """Passage texts by file name, in name order."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))}


def count(name: str, response: dict[str, Any], not_found: str, result: Coverage) -> None:
    """Add one ``/v1/process-text`` response to ``result``."""
    defined = seen = 0
    for sentence in response["processed_results"]:
        for word in sentence["words"]:
            if word["pos"] not in CONTENT_POS:
                continue
            seen += 1
            if word["definition"] == not_found:
                result.missing[f"{word['word']} ({word['lemma']}/{word['pos']})"] += 1
            else:
                defined += 1
    result.per_story[name] = (defined, seen)


def measure(client: Any, texts: dict[str, str]) -> Coverage:
    """Post every passage with ``client`` (a TestClient of the Junior app) and count."""
    from apps.junior.pipeline import NOT_FOUND

    result = Coverage()
    for name, text in texts.items():
        answer = client.post("/v1/process-text", json={"text": text})
        answer.raise_for_status()
        count(name, answer.json(), str(NOT_FOUND["definition"]), result)
    return result


def report(result: Coverage) -> str:
    lines = [f"{name}: {d}/{n}" for name, (d, n) in result.per_story.items()]
    lines.append(
        f"story coverage: {result.defined}/{result.total} content words defined "
        f"= {result.share:.2%} over {len(result.per_story)} passages"
    )
    if result.missing:
        lines.append(
            "not found: " + ", ".join(f"{w} ×{n}" for w, n in result.missing.most_common())
        )
    return "\n".join(lines)


def restore_scratch(admin_url: str) -> str:
    """A new database on the server of ``admin_url`` holding the committed seed dump (libpq URL)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.cli import run_restore

    from apps.junior.tooling.quality_report import scratch_database
    from data.build import DUMP_PATH, MANIFEST_PATH

    _name, url = scratch_database(admin_url)
    done = run_restore(url, "--dump", str(DUMP_PATH), "--manifest", str(MANIFEST_PATH), timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"restore failed:\n{done.stderr[-3000:]}")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=Path, default=STORIES_DIR)
    parser.add_argument("--restore", action="store_true",
                        help="restore the committed dump into a new database on DATABASE_URL's "
                             "server first (left there for inspection)")  # fmt: skip
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from fastapi.testclient import TestClient

    from apps.common.settings import libpq_url
    from apps.junior.app import create_app
    from apps.junior.settings import JuniorSettings

    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is not set (run under scripts/pgserver.py run --)", file=sys.stderr)
        return 2
    if args.restore:
        url = restore_scratch(libpq_url(url))
    settings = JuniorSettings(database_url=url, ocr=False, log_json=False)
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 600
        while client.get("/ready").status_code != 200:
            if time.monotonic() > deadline:
                print("junior not ready after 600 s", file=sys.stderr)
                return 1
            time.sleep(0.5)
        print(report(measure(client, stories(args.stories))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
