"""A small dictionary database built from the curated senses, for tests, evaluation, benchmarks
and local runs before the seed dump exists.

Loads ``data/schema.sql`` + constraints with psql, then one ``mot`` row per curated sense of
``data/curation/senses.tsv`` (in sense order, so ``row_number`` gives back ``sense_no``) plus a
few single-sense words, each with an LSF sign or definition URL.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[3]
SENSES_TSV = ROOT / "data" / "curation" / "senses.tsv"
GRAM_CATS = (
    "nom",
    "verbe",
    "adjectif",
    "préposition",
    "déterminent",
    "pronom",
    "nom propre",
    "adverbe",
    "conjonction",
    "interjection",
)
UPOS_TO_GRAM = {
    "NOUN": "nom",
    "VERB": "verbe",
    "ADJ": "adjectif",
    "ADV": "adverbe",
    "ADP": "préposition",
    "PROPN": "nom propre",
}
# Single-sense words (confidence 1.0 paths) absent from the curated polysemous list.
EXTRA_SENSES = (
    ("hérisson", "NOUN", "Petit animal couvert de piquants qui se roule en boule.", 1),
    ("forêt", "NOUN", "Grand endroit couvert d'arbres.", 1),
    ("rivière", "NOUN", "Cours d'eau qui coule vers un fleuve.", 1),
    ("carotte", "NOUN", "Légume long et orange qui pousse dans la terre.", 1),
    ("manger", "VERB", "Mettre de la nourriture dans sa bouche et l'avaler.", 1),
    ("tout à coup", "COMPOUND", "Soudain, d'un seul coup, sans qu'on s'y attende.", 2),
)


def curated_rows() -> list[tuple[str, str, str, int]]:
    """(lemma, UPOS, definition, difficulty) for every curated sense, in file order."""
    rows = []
    with SENSES_TSV.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle, delimiter="\t"):
            difficulty = int(rec["niv_diff"]) if rec.get("niv_diff", "").strip() else 1
            rows.append((rec["lemma"], rec["pos"], rec["definition"], difficulty))
    return rows


def psql_file(url: str, path: Path) -> None:
    """Run one SQL file with psql, stopping at the first error."""
    subprocess.run(
        ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)],
        check=True,
        capture_output=True,
    )


def build_dictionary(url: str) -> int:
    """Create the schema in the empty database at ``url`` and fill it; returns the sense count."""
    psql_file(url, ROOT / "data" / "schema.sql")
    psql_file(url, ROOT / "data" / "schema_constraints.sql")
    curated = curated_rows()
    known = {(lemma, pos) for lemma, pos, _, _ in curated}
    rows = curated + [extra for extra in EXTRA_SENSES if extra[:2] not in known]
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO grammatical_cat VALUES (%s, %s)",
                [(i + 1, name) for i, name in enumerate(GRAM_CATS)],
            )
            cur.executemany(
                "INSERT INTO niv_diff VALUES (%s, %s)", [(1, "easy"), (2, "medium"), (3, "hard")]
            )
            gram_id = {name: i + 1 for i, name in enumerate(GRAM_CATS)}
            for lemma, pos, definition, difficulty in rows:
                gram = gram_id.get(UPOS_TO_GRAM.get(pos, ""))
                cur.execute(
                    "INSERT INTO mot (mot, definition, gramm_id, niv_diff_id) "
                    "VALUES (%s, %s, %s, %s) RETURNING mot_id",
                    (lemma, definition, gram, difficulty),
                )
                (mot_id,) = cur.fetchone()
                slug = lemma.replace(" ", "-")
                sign = None if mot_id % 5 == 0 else f"https://signes.example.org/{slug}/{mot_id}"
                cur.execute(
                    "INSERT INTO lsf_signe (url_sign, url_def, mot_id) VALUES (%s, %s, %s)",
                    (sign, f"https://definitions.example.org/{slug}/{mot_id}", mot_id),
                )
    finally:
        conn.close()
    return len(rows)
