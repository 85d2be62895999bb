"""The kind workflow's offline parts: content-tagged images (issue 15 item 5), `make up` like any
user (--wait --wait-for-jobs), no release-name assumption, kind ready for an ingress (item 9)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from chart_render import ROOT

TAG_SCRIPT = "scripts/tools/image_tag.sh"


def run(*args: str, cwd: Path) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A throwaway clone of this branch with the working tree's version of the tag script."""
    target = tmp_path / "repo"
    run("git", "clone", "-q", "--shared", str(ROOT), str(target), cwd=tmp_path)
    (target / TAG_SCRIPT).write_text((ROOT / TAG_SCRIPT).read_text())
    (target / TAG_SCRIPT).chmod(0o755)
    run(
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "commit",
        "-qam",
        "x",
        "--allow-empty",
        cwd=target,
    )
    return target


def tag(repo: Path) -> str:
    return run(f"./{TAG_SCRIPT}", cwd=repo)


def test_image_tag_follows_the_build_inputs_only(clone: Path) -> None:
    first = tag(clone)
    assert len(first) == 12
    assert int(first, 16) >= 0
    assert tag(clone) == first  # same inputs, same tag

    app = clone / "apps" / "quiz" / "app.py"
    original = app.read_text()
    app.write_text(original + "\n# changed\n")  # uncommitted code change
    changed = tag(clone)
    assert changed != first
    app.write_text(original)
    assert tag(clone) == first

    (clone / "apps" / "common" / "new_module.py").write_text("X = 1\n")  # untracked input
    assert tag(clone) != first
    (clone / "apps" / "common" / "new_module.py").unlink()

    models = clone / "apps" / "junior" / "models"
    (models / "extra-test.onnx").write_bytes(b"onnx")  # ignored by git, copied by the image
    assert tag(clone) != first
    (models / "extra-test.onnx").unlink()

    readme = clone / "README.md"
    readme.write_text(readme.read_text() + "\nnot an image input\n")
    (clone / "apps" / "quiz" / "__pycache__").mkdir(exist_ok=True)
    (clone / "apps" / "quiz" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert tag(clone) == first  # docs and ignored caches do not change the images
    assert run("git", "diff", "--cached", "--name-only", cwd=clone) == ""  # real index untouched


def make_dry_run(*args: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", "-s", *args, "HELM=helm", "IMAGE_TAG=0123456789ab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.replace("\\\n", " ").splitlines()


def test_make_up_installs_like_any_user() -> None:
    lines = make_dry_run("up", "RELEASE=demo")
    (install,) = [shlex.split(line) for line in lines if line.startswith("helm upgrade --install")]
    assert install[3] == "demo"
    assert {"--wait", "--wait-for-jobs"} <= set(install)
    for image in ("quiz", "junior", "restore"):
        assert f"{image}.image.tag=0123456789ab" in install
    assert not [line for line in lines if "kubectl" in line and " wait " in line]
    assert not [line for line in lines if "job/" in line]  # no release-name assumption
    loads = [line for line in lines if "kind load docker-image" in line]
    assert len(loads) == 1
    assert "vocabulo/$image:0123456789ab" in loads[0]


def test_ops_targets_follow_the_chart_fullname() -> None:
    for release, cronjob in (
        ("demo", "demo-vocabulo-backup"),
        ("vocabulo-prod", "vocabulo-prod-backup"),
    ):
        lines = make_dry_run("backup-now", f"RELEASE={release}")
        assert any(f"--from=cronjob/{cronjob}" in line for line in lines), lines


def test_kind_config_is_ready_for_an_ingress() -> None:
    config = yaml.safe_load((ROOT / "kind-config.yaml").read_text())
    (control,) = [n for n in config["nodes"] if n["role"] == "control-plane"]
    patch = yaml.safe_load(control["kubeadmConfigPatches"][0])
    labels = patch["nodeRegistration"]["kubeletExtraArgs"]["node-labels"]
    assert "ingress-ready=true" in labels.split(",")
    ports = {(m["containerPort"], m["hostPort"]) for m in control["extraPortMappings"]}
    assert ports == {(80, 80), (443, 443)}
