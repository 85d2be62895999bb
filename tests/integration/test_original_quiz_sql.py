"""The earlier Quiz service's recommendation SQL (TessierV/vocabulo, vocabulo_quizz_ml/core/
recommendations.py; the SQL text is the contract) runs unchanged on a restored database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from apps.common.settings import normalise_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import run_restore

USER_LEVEL_SQL = """
    SELECT
        COALESCE(AVG(CASE WHEN sq.score THEN 1 ELSE 0 END), 0) as avg_score,
        COUNT(DISTINCT CASE WHEN c."name" = 'basique' THEN m.mot_id END) as basic_words_seen,
        COUNT(DISTINCT CASE WHEN c."name" = 'basique' AND sq.score THEN m.mot_id END) as basic_words_correct,
        COUNT(DISTINCT m.mot_id) as total_words_seen,
        MAX(e.echelon_id) as max_echelon
    FROM score_quiz sq
    JOIN quiz q ON sq.quiz_id = q.quiz_id
    JOIN mot m ON sq.mot_id = m.mot_id
    JOIN mot_categorie mc ON m.mot_id = mc.mot_id
    JOIN categorie c ON mc.categorie_id = c.categorie_id
    LEFT JOIN echelon_db e ON m.echelon_id = e.echelon_id
    WHERE q.user_id = :user_id
"""

FEEDBACK_SQL = """
    SELECT m.mot_id, em.scale
    FROM eval_mot em
    JOIN quiz q ON em.quiz_id = q.quiz_id
    JOIN mot m ON em.mot_id = m.mot_id
    WHERE q.user_id = :user_id
"""

RECOMMENDATION_SQL = """
        SELECT m.mot_id, m.mot, m.niv_diff_id, COALESCE(m.frequence, 0) as frequence, m.gramm_id, ls.url_def, ls.url_sign,
                c."name" as category,
                sc."name" as subcategory,
                e.echelon_id,
                COALESCE(diff.freqfilms, 0) as freqfilms,
                COALESCE(diff.freqlivres, 0) as freqlivres,
                COALESCE(diff.nbr_syll, 0) as nbr_syll,
                COALESCE(diff.cp_cm2_sfi, 0) as cp_cm2_sfi,
                COALESCE(uwh.times_correct, 0) as times_correct,
                COALESCE(uwh.times_seen, 0) as times_seen,
                COALESCE(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - uwh.last_seen)) / 86400, 9999) as days_since_last_seen,
                CURRENT_TIMESTAMP as current_time
            FROM mot m
            LEFT JOIN lsf_signe ls ON m.mot_id = ls.mot_id
            LEFT JOIN mot_categorie mc ON m.mot_id = mc.mot_id
            LEFT JOIN categorie c ON mc.categorie_id = c.categorie_id
            LEFT JOIN mot_subcategory ms ON m.mot_id = ms.mot_id
            LEFT JOIN subcategory sc ON ms.subcat_id = sc.subcat_id
            LEFT JOIN echelon_db e ON m.echelon_id = e.echelon_id
            LEFT JOIN diff_ortho diff ON m.mot_id = diff.mot_id
            LEFT JOIN user_word_history uwh ON uwh.user_id = :user_id AND uwh.mot_id = m.mot_id
            WHERE ls.url_sign != 'Non spécifié' OR ls.url_def != 'Non spécifié'
"""


@pytest.fixture(scope="module")
def quiz_url(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A restored database, reached as the Quiz service's own role."""
    with dumps.extra_database(admin_url) as url:
        dump = dumps.fixture_dump(tmp_path_factory.mktemp("d"))
        result = run_restore(url, "--dump", str(dump), VOCABULO_QUIZ_PASSWORD="pw")
        assert result.returncode == 0, result.stderr
        yield url


def quiz_engine(url: str) -> Engine:
    """An engine connecting as vocabulo_quiz (its password works where the server checks it)."""
    return create_engine(
        normalise_url(url), connect_args={"user": "vocabulo_quiz", "password": "pw"}
    )


def test_recommendation_query_runs_for_a_learner(quiz_url: str) -> None:
    engine = quiz_engine(quiz_url)
    try:
        with engine.connect() as conn:
            rows = (
                conn.execute(text(RECOMMENDATION_SQL), {"user_id": dumps.USER_ID}).mappings().all()
            )
    finally:
        engine.dispose()
    by_id: dict[int, list[Any]] = {}
    for row in rows:
        by_id.setdefault(row["mot_id"], []).append(row)
    assert set(by_id) == {1, 2, 3, 4, 5}  # mot 3 has no url_def but a url_sign: kept
    chat = by_id[1]
    assert {r["category"] for r in chat} == {"basique", "animaux"}
    assert {r["subcategory"] for r in chat} == {"ferme"}
    assert chat[0]["times_seen"] == 2
    assert chat[0]["times_correct"] == 1
    assert by_id[2][0]["times_seen"] == 0
    assert float(by_id[2][0]["days_since_last_seen"]) == 9999


def test_user_level_and_feedback_queries_run(quiz_url: str) -> None:
    engine = quiz_engine(quiz_url)
    try:
        with engine.connect() as conn:
            level = conn.execute(text(USER_LEVEL_SQL), {"user_id": dumps.USER_ID}).one()
            feedback = conn.execute(text(FEEDBACK_SQL), {"user_id": dumps.USER_ID}).all()
    finally:
        engine.dispose()
    avg_score, basic_seen, basic_correct, total_seen, max_echelon = level
    assert (basic_seen, basic_correct, total_seen, max_echelon) == (1, 1, 1, 1)
    assert float(avg_score) == 1.0
    assert [tuple(r) for r in feedback] == [(1, "Trop facile")]
