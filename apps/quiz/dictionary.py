"""The dictionary's senses as numpy arrays, read once at start-up (one query)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import Engine, text

from apps.quiz.features import WordTable

BASIQUE = "basique"

SENSES_SQL = text("""
SELECT m.mot_id, m.mot, COALESCE(m.niv_diff_id, 2) AS niv_diff_id,
       COALESCE(d.freqfilms, 0)::float8, COALESCE(d.freqlivres, 0)::float8,
       COALESCE(d.nbr_syll, 2), COALESCE(s.url_sign, ''), COALESCE(s.url_def, ''),
       COALESCE((SELECT string_agg(c.name, ',' ORDER BY c.name)
                   FROM mot_categorie mc JOIN categorie c ON c.categorie_id = mc.categorie_id
                  WHERE mc.mot_id = m.mot_id), '') AS categories,
       COALESCE((SELECT string_agg(sc.name, ',' ORDER BY sc.name)
                   FROM mot_subcategory ms JOIN subcategory sc ON sc.subcat_id = ms.subcat_id
                  WHERE ms.mot_id = m.mot_id), '') AS subcategories,
       d.cp_cm2_u::float8,  -- Manulex; NULL: not in Manulex (or a dump before it)
       CASE WHEN COALESCE(d.cp_u, d.ce1_u) IS NOT NULL
            THEN (COALESCE(d.cp_u, 0) + COALESCE(d.ce1_u, 0))::float8 / 2 END
  FROM mot m
  LEFT JOIN diff_ortho d ON d.mot_id = m.mot_id
  LEFT JOIN lsf_signe s ON s.mot_id = m.mot_id
 WHERE m.mot IS NOT NULL AND btrim(m.mot) <> ''
 ORDER BY m.mot_id
""")


@dataclass(frozen=True)
class Dictionary:
    """Every sense (row = position); ``spelling`` codes equal for senses spelled alike."""

    words: WordTable
    static: np.ndarray
    mot: np.ndarray
    category: np.ndarray
    subcategory: np.ndarray
    url_sign: np.ndarray
    url_def: np.ndarray
    spelling: np.ndarray
    group: np.ndarray
    recommendable: np.ndarray
    n_basique: int

    def __len__(self) -> int:
        return len(self.words)

    @cached_property
    def frequent_first(self) -> np.ndarray:
        """Recommendable positions, the most frequent in children's books first (adult books
        when the dump has no children's frequencies)."""
        order = np.lexsort((np.arange(len(self)), -self.static[:, 5]))
        return order[self.recommendable[order]]

    def recommendation_json(self, picks: list[tuple[int, float]]) -> bytes:
        """The body of POST /get_recommendations for ``picks`` (position, score): exactly
        ``json.dumps({"recommendations": [...]}, ensure_ascii=False)`` of the items (score
        rounded to 4 decimals), each word's fields encoded once and kept."""
        head = self._item_heads
        items = []
        for i, score in picks:
            if i not in head:
                head[i] = self._item_head(i)
            r = round(score, 4)
            items.append(f"{head[i]}{float.__repr__(r) if math.isfinite(r) else json.dumps(r)}}}")
        return f'{{"recommendations": [{", ".join(items)}]}}'.encode()

    @cached_property
    def _item_heads(self) -> dict[int, str]:
        """Position → its JSON item up to the score (filled as words are recommended)."""
        return {}

    def _item_head(self, i: int) -> str:
        """The JSON object of sense ``i`` without the closing brace, ending with the score's key."""
        fields = {
            "mot_id": int(self.words.mot_id[i]),
            "mot": self.mot[i],
            "category": self.category[i],
            "subcategory": self.subcategory[i],
            "niv_diff_id": int(self.words.niv_diff[i]),
            "url_sign": self.url_sign[i],
            "url_def": self.url_def[i],
            "recommendation_score": 0,
        }
        return json.dumps(fields, ensure_ascii=False).removesuffix("0}")

    @cached_property
    def recommendable_basique(self) -> np.ndarray:
        """Recommendable positions of `basique` words, ascending."""
        return np.flatnonzero(self.recommendable & self.words.is_basique)

    @cached_property
    def recommendable_other(self) -> np.ndarray:
        """Recommendable positions of the other words, ascending."""
        return np.flatnonzero(self.recommendable & ~self.words.is_basique)

    def spelling_in(self, codes: np.ndarray, among: np.ndarray) -> np.ndarray:
        """np.isin(codes, among) for spelling codes, by a table of every spelling (faster)."""
        table = np.zeros(self.n_spellings, bool)
        table[among] = True
        return table[codes]

    @cached_property
    def n_spellings(self) -> int:
        """How many distinct spellings (codes 0 … n − 1)."""
        return int(self.spelling.max(initial=-1)) + 1

    @cached_property
    def _position_of(self) -> np.ndarray | None:
        """Position of each mot_id (index = mot_id, −1: none); None when the ids are too sparse
        for such a table (then ``positions`` searches the sorted ids)."""
        ids = self.words.mot_id
        if not len(ids) or ids[0] < 0 or ids[-1] > 4 * len(ids) + 100_000:
            return None
        table = np.full(int(ids[-1]) + 1, -1, np.intp)
        first = np.ones(len(ids), bool)  # the first of equal ids, as searchsorted finds
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        table[ids[first]] = np.flatnonzero(first)
        return table

    def positions(self, mot_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, found mask) of ``mot_ids`` in the table (ids ascending, as loaded); a
        missing id's position is where it would be inserted (clipped to the table)."""
        table = self._position_of
        mot_ids = np.asarray(mot_ids)
        if table is None or mot_ids.dtype.kind not in "iu":
            return self._searched_positions(mot_ids)
        inside = (mot_ids >= 0) & (mot_ids < table.size)
        pos = table[np.where(inside, mot_ids, 0)]
        found = inside & (pos >= 0)
        if not found.all():
            missing = ~found
            pos[missing] = self._searched_positions(mot_ids[missing])[0]
        return pos, found

    def _searched_positions(self, mot_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``positions`` by binary search over the sorted ids."""
        ids = self.words.mot_id
        pos = np.clip(np.searchsorted(ids, mot_ids), 0, max(len(ids) - 1, 0))
        found = ids[pos] == mot_ids if len(ids) else np.zeros(len(mot_ids), dtype=bool)
        return pos, found


def from_rows(rows: list[tuple], require_sign: bool = True) -> Dictionary:
    """Build the arrays from rows shaped like ``SENSES_SQL``'s."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * 12
    mot = np.array([str(m) for m in cols[1]], dtype=object)
    categories = np.array(list(cols[8]), dtype=object)
    is_basique = np.array([BASIQUE in c.split(",") for c in categories], dtype=bool)
    words = WordTable(
        mot_id=np.array(cols[0], dtype=np.int64),
        freqfilms=np.array(cols[3], dtype=np.float32),
        freqlivres=np.array(cols[4], dtype=np.float32),
        nbr_syll=np.array(cols[5], dtype=np.float32),
        niv_diff=np.array(cols[2], dtype=np.float32),
        is_basique=is_basique,
        child_freq=_optional_floats(cols[10]),
        early_freq=_optional_floats(cols[11]),
    )
    url_sign = np.array(list(cols[6]), dtype=object)
    has_sign = url_sign != ""
    keys = [m.strip().lower() for m in mot.tolist()]
    _, spelling = np.unique(np.array(keys, dtype=object), return_inverse=True)
    subcategories = np.array(list(cols[9]), dtype=object)
    pairs = [f"{c}|{sc}" for c, sc in zip(categories.tolist(), subcategories.tolist(), strict=True)]
    _, group = np.unique(np.array(pairs, dtype=object), return_inverse=True)
    recommendable = has_sign if require_sign and has_sign.sum() >= 50 else np.ones(len(mot), bool)
    return Dictionary(
        words=words,
        static=words.static_block(),
        mot=mot,
        category=categories,
        subcategory=subcategories,
        url_sign=url_sign,
        url_def=np.array(list(cols[7]), dtype=object),
        spelling=spelling.astype(np.int64),
        group=group.astype(np.int64),
        recommendable=recommendable,
        n_basique=int(is_basique.sum()),
    )


def _optional_floats(values: tuple) -> np.ndarray | None:
    """Floats with NULL as nan; None when every value is NULL (a dump without the column)."""
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float32)
    return arr if np.isfinite(arr).any() else None


def load_dictionary(engine: Engine, require_sign: bool = True) -> Dictionary:
    """Read every sense with its features, categories and sign URLs."""
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(SENSES_SQL)]
    return from_rows(rows, require_sign)
