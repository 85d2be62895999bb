"""Idempotent quiz writes: an ``Idempotency-Key`` is claimed in the quiz's own transaction.

The keys live in ``vocabulo_meta.quiz_requests`` (ours, created by ``data/post_restore.sql``;
the production tables are left as the dump has them). The primary key (user_id,
idempotency_key) with ``INSERT ... ON CONFLICT DO NOTHING`` makes a concurrent duplicate wait
for the first transaction: when that one commits, the duplicate reads its result; when it
rolls back, the duplicate records the quiz itself.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, text

TABLE = "vocabulo_meta.quiz_requests"
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # visible ASCII, as HTTP header values allow
CLAIM_SQL = text(f"""
INSERT INTO {TABLE} (user_id, idempotency_key, request_sha256, quiz_id, recorded_answers)
VALUES (:u, :k, :h, :q, :n)
ON CONFLICT (user_id, idempotency_key) DO NOTHING
RETURNING quiz_id""")
FIRST_SQL = text(
    f"SELECT request_sha256, quiz_id, recorded_answers FROM {TABLE} "
    "WHERE user_id = :u AND idempotency_key = :k"
)


class KeyReused(ValueError):
    """The key was first used with a different request body."""

    def __init__(self) -> None:
        super().__init__("Idempotency-Key already used with a different request body")


@dataclass(frozen=True)
class Recorded:
    """What a quiz write returns; ``replayed`` when an earlier request with the key wrote it."""

    quiz_id: uuid.UUID
    recorded_answers: int
    replayed: bool = False


def fingerprint(canonical_body: str) -> str:
    """sha256 of the request as parsed (a retry with other whitespace is the same request)."""
    return hashlib.sha256(canonical_body.encode()).hexdigest()


def claim(
    conn: Connection, user_id: uuid.UUID, key: str, digest: str, quiz_id: uuid.UUID, answers: int
) -> Recorded | None:
    """Claim ``key`` for ``quiz_id`` (None: go on and write it), or the first request's result.

    Raises :class:`KeyReused` when the first request with this key had another body.
    """
    params = {"u": user_id, "k": key, "h": digest, "q": quiz_id, "n": answers}
    if conn.execute(CLAIM_SQL, params).first() is not None:
        return None
    row = conn.execute(FIRST_SQL, {"u": user_id, "k": key}).one()
    if row.request_sha256 != digest:
        raise KeyReused
    return Recorded(row.quiz_id, row.recorded_answers, replayed=True)
