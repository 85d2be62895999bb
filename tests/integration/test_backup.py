"""vocabulo-backup for real: back up a restored database, damage it, restore the backup, and
compare row counts and per-table checksums; retention; a failed run deletes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from db_restore.backup import list_backups
from fixtures import dumps
from fixtures.cli import query, restore_env, run_restore

TABLES = (
    "mot",
    "lsf_signe",
    "categorie",
    "subcategory",
    "mot_categorie",
    "authentication",
    "quiz",
    "score_quiz",
    "user_word_history",
    "diff_ortho",
)


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table's content."""
    out = {}
    for table in TABLES:
        ((count, digest),) = query(
            url,
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            f" FROM public.{table} t",
        )
        out[table] = (count, digest)
    return out


def run_backup(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "db_restore.backup", *args],
        env=restore_env(url),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def restored(fresh_db: str, tmp_path: Path) -> str:
    result = run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path)))
    assert result.returncode == 0, result.stderr
    return fresh_db


def test_backup_damage_restore_gives_back_the_same_data(restored: str, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    before = checksums(restored)
    made = run_backup(restored, "--dir", str(backups), "--keep", "3")
    assert made.returncode == 0, made.stderr
    (backup,) = list_backups(backups, "vocabulo")
    sha_line = (backups / (backup.name + ".sha256")).read_text().split()
    assert sha_line == [dumps.sha256(backup), backup.name]

    # damage: lose a table's rows and corrupt definitions
    dumps.load_sql(
        restored,
        "DELETE FROM public.user_word_history; UPDATE public.mot SET definition = 'oops';",
    )
    assert checksums(restored) != before

    back = run_restore(restored, "--dump", str(backup), "--mode", "replace")
    assert back.returncode == 0, back.stderr
    assert checksums(restored) == before

    # damaged again: the same backup is recorded, so replace alone is a no-op (safe for hook
    # re-runs); --force re-applies it
    dumps.load_sql(restored, "DELETE FROM public.user_word_history;")
    damaged = checksums(restored)
    again = run_restore(restored, "--dump", str(backup), "--mode", "replace")
    assert again.returncode == 0, again.stderr
    assert "already restored" in again.stderr
    assert checksums(restored) == damaged
    assert run_restore(restored, "--dump", str(backup), "--force").returncode == 2  # once+force
    forced = run_restore(restored, "--dump", str(backup), "--mode", "replace", "--force")
    assert forced.returncode == 0, forced.stderr
    assert checksums(restored) == before


def test_retention_keeps_the_newest_and_failure_deletes_nothing(
    restored: str, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    for second in range(3):
        # names carry the second: make each run land on its own timestamp
        (backups / f"vocabulo-20200101T00000{second}Z.dump").write_bytes(b"old")
    made = run_backup(restored, "--dir", str(backups), "--keep", "2")
    assert made.returncode == 0, made.stderr
    kept = [p.name for p in list_backups(backups, "vocabulo")]
    assert len(kept) == 2
    assert kept[0] == "vocabulo-20200101T000002Z.dump"  # the newest old one survives
    assert not kept[1].startswith("vocabulo-2020")

    # an unreachable database: exit 1 and nothing deleted, no partial file left behind
    env = restore_env("postgresql://postgres@127.0.0.1:1/none")
    failed = subprocess.run(
        [sys.executable, "-m", "db_restore.backup", "--dir", str(backups), "--keep", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "older backups left untouched" in failed.stderr
    assert [p.name for p in list_backups(backups, "vocabulo")] == kept
    assert not [p for p in os.listdir(backups) if p.endswith(".partial")]


def test_usage_errors_exit_2(restored: str, tmp_path: Path) -> None:
    assert run_backup(restored, "--dir", str(tmp_path / "missing")).returncode == 2
    assert run_backup(restored, "--dir", str(tmp_path), "--keep", "0").returncode == 2
