"""Render the chart with real helm for the tests: tool installation, variants, manifest walking."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "vocabulo"
TOOLS = ROOT / "scripts" / "tools"
RELEASE = "vocabulo"
NAMESPACE = "vocabulo"

# Documented variants (docs/chart.md): each must lint, render, validate and keep the designed matrix.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "external-db": {
        "postgresql": {"enabled": False},
        "externalDatabase": {
            "host": "db.example.internal",
            "port": 5432,
            "cidrs": ["10.20.0.0/16"],
        },
        "auth": {"existingSecret": "vocabulo-db"},
    },
    "existing-secret": {
        "auth": {"existingSecret": "vocabulo-db"},
        "pgadmin": {"existingSecret": "vocabulo-pgadmin"},
    },
    # An Ingress needs auth on every exposed API (or ingress.allowAnonymous): quiz HS256, junior JWKS.
    "ingress": {
        "ingress": {"enabled": True, "tlsSecretName": "vocabulo-tls"},
        "quiz": {
            "auth": {
                "mode": "jwt",
                "existingSecret": "vocabulo-jwt",
                "secretKeys": {"secret": "hs256-secret"},
            }
        },
        "junior": {
            "auth": {
                "mode": "jwt",
                "existingSecret": "vocabulo-jwt",
                "secretKeys": {"jwks": "jwks.json"},
            }
        },
    },
    "monitoring": {"monitoring": {"enabled": True}},
    "backup": {"backup": {"enabled": True}},
    "no-pgadmin": {"pgadmin": {"enabled": False}},
    "dns-ipblocks": {"networkPolicy": {"dns": {"ipBlocks": ["169.254.20.10/32"]}}},
    "scaling": {
        "quiz": {"autoscaling": {"enabled": True}, "pdb": {"enabled": True}},
        "junior": {
            "autoscaling": {"enabled": True},
            "pdb": {"enabled": True},
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": "kubernetes.io/hostname",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/component": "junior"}},
                }
            ],
        },
    },
}


def ensure_tool(name: str) -> str:
    """Path of helm/nca/checkov: installed by scripts/tools on first use; fail loudly otherwise."""
    local = ROOT / ".tools" / "bin" / name
    if name == "helm" and not local.exists() and os.environ.get("HELM_FROM_PATH") == "1":
        found = shutil.which("helm")
        if found:
            return found
    script = ["install_helm.sh"] if name == "helm" else ["install_pytool.sh", name]
    result = subprocess.run(
        ["bash", str(TOOLS / script[0]), *script[1:]], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0 or not local.exists():
        raise RuntimeError(
            f"could not install {name} with scripts/tools/{script[0]} "
            f"(exit {result.returncode}): {result.stderr[-2000:]}"
        )
    return str(local)


def values_file(tmp: Path, name: str, values: dict[str, Any]) -> Path:
    """Write ``values`` to a YAML file under ``tmp``."""
    path = tmp / f"values-{name}.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def helm(helm_bin: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run helm, capturing text output."""
    return subprocess.run([helm_bin, *args], capture_output=True, text=True, timeout=120)


def template(helm_bin: str, values: Path | None = None, *extra: str) -> str:
    """``helm template`` the chart as release ``vocabulo`` in namespace ``vocabulo``."""
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE, *extra]
    if values is not None:
        args += ["--values", str(values)]
    result = helm(helm_bin, *args)
    if result.returncode != 0:
        raise AssertionError(f"helm template failed: {result.stderr}")
    return result.stdout


def documents(rendered: str) -> list[dict[str, Any]]:
    """The non-empty YAML documents of a rendering."""
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, pod metadata, pod spec) of every workload and bare pod."""
    for doc in docs:
        kind = doc["kind"]
        name = f"{kind}/{doc['metadata']['name']}"
        if kind == "Pod":
            yield name, doc["metadata"], doc["spec"]
        elif kind in {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}:
            yield name, doc["spec"]["template"]["metadata"], doc["spec"]["template"]["spec"]
        elif kind == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
            yield name, template["metadata"], template["spec"]


KUBE_VALIDATE = Path(sys.executable).with_name("kubernetes-validate")


def kubernetes_validate(manifest: Path) -> subprocess.CompletedProcess[str]:
    """kubernetes-validate --strict against the Kubernetes 1.31 schemas (unknown fields refused)."""
    return subprocess.run(
        [str(KUBE_VALIDATE), "--strict", "-k", "1.31.0", "--quiet", str(manifest)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def checkov_reports(
    checkov_bin: str, target: Path, framework: str, helm_bin: str | None = None
) -> list[dict[str, Any]]:
    """checkov's JSON reports on a directory (``-d``) or a file (``-f``), one per framework run."""
    env = dict(os.environ)
    if helm_bin:  # the helm framework renders the chart with this helm
        env["PATH"] = f"{Path(helm_bin).parent}:{env.get('PATH', '')}"
    flag = "-d" if target.is_dir() else "-f"
    result = subprocess.run(
        [
            checkov_bin,
            flag,
            str(target),
            "--framework",
            framework,
            "--compact",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.stdout.strip(), f"checkov printed nothing: {result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    return report if isinstance(report, list) else [report]
