"""`make restore-backup`'s helm flags, rendered: the restore Job reads the file from the backup PVC."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

from ops_render import OPS_VALUES, by_kind, render

ROOT = Path(__file__).resolve().parents[2]
BACKUP = "vocabulo-20261127T020000Z.dump"


def recipe_upgrades(*make_args: str) -> list[list[str]]:
    """The helm upgrade commands `make -n restore-backup` would run, as argument lists."""
    result = subprocess.run(
        ["make", "-n", "-s", "restore-backup", *make_args, "HELM=helm"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.replace("\\\n", " ")
    return [shlex.split(line) for line in text.splitlines() if line.startswith("helm upgrade ")]


def set_flags(argv: list[str]) -> list[str]:
    """Only the --set/--set-string pairs of a helm command line."""
    flags = []
    for i, arg in enumerate(argv):
        if arg in ("--set", "--set-string"):
            flags += [arg, argv[i + 1]]
    return flags


def restore_jobs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        d
        for d in by_kind(docs, "Job").values()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "db-restore"
    ]


def restore_job(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (job,) = restore_jobs(docs)
    return job["spec"]["template"]["spec"]


def test_recipe_points_the_restore_job_at_the_backup(helm_bin: str, tmp_path: Path) -> None:
    restore, reset = recipe_upgrades(f"BACKUP={BACKUP}", "BACKUP_SHA256=" + "ab" * 32)
    # The restore is a plain Job now: helm must wait for it before the second upgrade removes it.
    assert {"--wait", "--wait-for-jobs"} <= set(restore)
    docs = render(helm_bin, tmp_path, OPS_VALUES, *set_flags(restore))
    (job,) = restore_jobs(docs)
    assert job["metadata"]["name"].startswith("vocabulo-db-restore-abababab-")
    spec = restore_job(docs)
    (container,) = spec["containers"]
    args = container["args"]
    assert args[args.index("--mode") + 1] == "replace"
    assert "--force" in args  # re-applying a backup already restored once must not be a no-op
    assert args[args.index("--dump") + 1] == f"/dump/{BACKUP}"
    assert args[args.index("--sha256") + 1] == "ab" * 32
    volumes = {v["name"]: v for v in spec["volumes"]}
    (dump_mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/dump"]
    claim = volumes[dump_mount["name"]]["persistentVolumeClaim"]
    assert "restore.dump.source=backup" in set_flags(restore)
    # The very claim the CronJob writes to, mounted read-only.
    (cron,) = by_kind(docs, "CronJob").values()
    cron_volumes = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
    (backups,) = [v for v in cron_volumes if v["name"] == "backups"]
    assert claim["claimName"] == backups["persistentVolumeClaim"]["claimName"]
    assert claim["readOnly"] is True
    assert dump_mount["readOnly"] is True
    # The second upgrade keeps the release's saved values and turns the restore Job off, so no
    # later upgrade restores the backup again.
    assert set_flags(reset) == ["--set", "restore.enabled=false"]
    assert "--values" in reset
    after = render(helm_bin, tmp_path, OPS_VALUES, *set_flags(reset))
    assert not restore_jobs(after)
    assert by_kind(after, "CronJob")  # backups go on


def test_recipe_without_backup_is_a_usage_error() -> None:
    result = subprocess.run(
        ["make", "-s", "restore-backup"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode != 0
    assert "usage: make restore-backup BACKUP=" in result.stdout + result.stderr
