"""A small dictionary in the production schema, with the demo learners, for the quiz tests."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psycopg2
from psycopg2.extras import execute_values, register_uuid

from apps.quiz.settings import QuizSettings
from data.build.learners import LEARNER_COLUMNS, learner_rows

REPO = Path(__file__).resolve().parents[2]
register_uuid()
CATEGORIES = ["basique", "animaux", "nourriture", "maison", "école", "corps"]
N_SENSES = 400
NO_SIGN = {7, 8}
GROUP_ROLES_SQL = """DO $g$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'readonly') THEN CREATE ROLE readonly; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'readwrite') THEN CREATE ROLE readwrite; END IF;
END $g$;"""  # senses without an LSF video (never recommended)


def synthetic_senses(seed: int = 7) -> list[dict[str, Any]]:
    """Senses 1..N: every 10th shares its spelling with the previous one (two senses)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(1, N_SENSES + 1):
        niv = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        cat = "basique" if rng.random() < 0.12 else CATEGORIES[1 + i % 5]
        out.append(
            {
                "mot_id": i,
                "mot": f"mot{i - 1 if i % 10 == 0 else i}",
                "niv_diff_id": niv,
                "freqfilms": round(
                    float(np.expm1(max(rng.normal(3.2 - 0.9 * (niv - 1), 1.2), 0.0))), 2
                ),
                "freqlivres": round(
                    float(np.expm1(max(rng.normal(3.2 - 0.9 * (niv - 1), 1.2), 0.0))), 2
                ),
                "nbr_syll": int(rng.integers(1, 5)),
                "categories": [cat],
            }
        )
    return out


def _insert(cur: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        execute_values(cur, f"INSERT INTO {table} ({', '.join(columns)}) VALUES %s", rows)


def load_fixture(url: str, seed: int = 7) -> list[dict[str, Any]]:
    """Create the schema in the empty database ``url`` and fill it; returns the senses."""
    senses = synthetic_senses(seed)
    cat_ids = {name: uuid.uuid5(uuid.NAMESPACE_URL, f"cat/{name}") for name in CATEGORIES}
    sub_ids = {name: uuid.uuid5(uuid.NAMESPACE_URL, f"sub/{name}") for name in CATEGORIES}
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute((REPO / "data" / "schema.sql").read_text())
            _insert(
                cur, "niv_diff", ("niv_diff_id", "name"), [(1, "easy"), (2, "medium"), (3, "hard")]
            )
            _insert(
                cur,
                "categorie",
                ("categorie_id", "name"),
                [(str(v), k) for k, v in cat_ids.items()],
            )
            _insert(
                cur,
                "subcategory",
                ("subcat_id", "name", "categorie_id"),
                [(str(sub_ids[k]), f"{k}-sous", str(v)) for k, v in cat_ids.items()],
            )
            _insert(
                cur,
                "mot",
                ("mot_id", "mot", "niv_diff_id"),
                [(s["mot_id"], s["mot"], s["niv_diff_id"]) for s in senses],
            )
            _insert(
                cur,
                "diff_ortho",
                ("mot_id", "freqfilms", "freqlivres", "nbr_syll"),
                [(s["mot_id"], s["freqfilms"], s["freqlivres"], s["nbr_syll"]) for s in senses],
            )
            _insert(
                cur,
                "lsf_signe",
                ("mot_id", "url_sign", "url_def"),
                [
                    (
                        s["mot_id"],
                        f"https://signs.example/{s['mot_id']}.mp4",
                        f"https://defs.example/{s['mot_id']}.mp4",
                    )
                    for s in senses
                    if s["mot_id"] not in NO_SIGN
                ],
            )
            _insert(
                cur,
                "mot_categorie",
                ("mot_id", "categorie_id"),
                [(s["mot_id"], str(cat_ids[s["categories"][0]])) for s in senses],
            )
            _insert(
                cur,
                "mot_subcategory",
                ("mot_id", "subcat_id"),
                [(s["mot_id"], str(sub_ids[s["categories"][0]])) for s in senses],
            )
            for table, rows in learner_rows(senses, seed).items():
                _insert(cur, table, LEARNER_COLUMNS[table], rows)
            cur.execute(
                "SELECT setval('device_token_token_id_seq', "
                "(SELECT max(token_id) FROM device_token))"
            )
            cur.execute((REPO / "data" / "schema_constraints.sql").read_text())
            cur.execute(GROUP_ROLES_SQL)  # data/post_restore.sql grants to them
            cur.execute((REPO / "data" / "post_restore.sql").read_text())
    finally:
        conn.close()
    return senses


def add_learner(url: str) -> uuid.UUID:
    """A new account with no history (for tests that write)."""
    user_id = uuid.uuid4()
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO device_token (create_at) VALUES (now()) RETURNING token_id")
            token = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO authentication (user_id, pseudo, date, token_id) "
                "VALUES (%s, 'test', now(), %s)",
                (str(user_id), token),
            )
    finally:
        conn.close()
    return user_id


def quiz_settings(url: str, **extra: Any) -> QuizSettings:
    """Settings for a test app on ``url`` (short start-up retry)."""
    return QuizSettings(
        DATABASE_URL=url, startup_db_attempts=2, startup_db_delay_s=0.2, log_json=False, **extra
    )
