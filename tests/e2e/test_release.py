"""End to end against a live kind release (`make up`, then `make e2e`): APIs through their Services,
restore Job, a no-op upgrade that rolls nothing, pgAdmin login, and NetworkPolicies enforced by
kindnet. Release-name independent (VOCABULO_RELEASE); skips cleanly without a cluster."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import (
    CLIENT_LABEL,
    NAMESPACE,
    PREFIX,
    RELEASE,
    component_objects,
    connect_code,
    exec_python,
    first_pod,
    name_of,
    run_python,
)
from kubernetes import client

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]

CALL_API = """
import json, urllib.request
for api in ("{quiz}", "{junior}"):
    with urllib.request.urlopen(f"http://{{api}}/ready", timeout=10) as answer:
        body = json.load(answer)
        assert answer.status == 200 and body.get("ready") is True, body
print("APIS-OK")
"""


def test_restore_job_completed(kube: client.ApiClient) -> None:
    """The restore Job (named after its dump) succeeded. With restore.ttlSecondsAfterFinished set,
    Kubernetes may have removed it: then there is nothing left to check here (the dictionary
    itself is checked through the APIs' /ready below)."""
    jobs = component_objects(kube, "db-restore")
    if not jobs:
        pytest.skip(
            "no restore Job left: restore.enabled=false or ttlSecondsAfterFinished removed it"
        )
    (job,) = jobs  # helm deletes the Job of a previous dump
    assert job.metadata.name.startswith(f"{PREFIX[:37].rstrip('-')}-db-restore-"), job.metadata.name
    assert (job.status.succeeded or 0) >= 1, job.status
    assert not job.metadata.annotations.get("helm.sh/hook"), "the restore must not be a hook"


def test_noop_upgrade_rolls_nothing(kube: client.ApiClient) -> None:
    """Issue 12 item 2 on a real cluster: `helm upgrade --reuse-values --wait --wait-for-jobs`
    changes no pod template (the generations stay) and leaves the restore Job alone."""
    helm = os.environ.get("HELM") or shutil.which("helm") or str(ROOT / ".tools" / "bin" / "helm")
    if not Path(helm).exists():
        pytest.skip("helm not found (scripts/tools/install_helm.sh)")
    apps = client.AppsV1Api(kube)
    selector = f"app.kubernetes.io/instance={RELEASE}"

    def generations() -> dict[str, int]:
        found = {
            f"deployment/{d.metadata.name}": d.metadata.generation
            for d in apps.list_namespaced_deployment(NAMESPACE, label_selector=selector).items
        }
        found.update(
            {
                f"statefulset/{s.metadata.name}": s.metadata.generation
                for s in apps.list_namespaced_stateful_set(NAMESPACE, label_selector=selector).items
            }
        )
        return found

    before = generations()
    jobs_before = {j.metadata.uid for j in component_objects(kube, "db-restore")}
    context = (
        ["--kube-context", os.environ["KUBE_CONTEXT"]] if os.environ.get("KUBE_CONTEXT") else []
    )
    result = subprocess.run(
        [
            helm,
            "upgrade",
            RELEASE,
            str(ROOT / "charts" / "vocabulo"),
            "-n",
            NAMESPACE,
            *context,
            "--reuse-values",
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "10m",
        ],
        capture_output=True,
        text=True,
        timeout=700,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert generations() == before
    assert {j.metadata.uid for j in component_objects(kube, "db-restore")} == jobs_before


def test_both_apis_answer_a_labelled_client(kube: client.ApiClient) -> None:
    code = CALL_API.format(quiz=name_of("quiz"), junior=name_of("junior"))
    phase, logs = run_python(kube, code, CLIENT_LABEL)
    assert phase == "Succeeded", logs
    assert "APIS-OK" in logs, logs


def test_unlabelled_pod_reaches_neither_quiz_nor_postgres(kube: client.ApiClient) -> None:
    code = connect_code(name_of("quiz"), 80) + connect_code(name_of("postgresql"), 5432)
    phase, logs = run_python(kube, code, {})
    assert phase == "Succeeded", logs
    assert logs.count("CLOSED") == 2, logs
    assert "OPEN" not in logs, logs


def test_quiz_cannot_reach_the_internet_but_resolves_names(kube: client.ApiClient) -> None:
    pod = first_pod(kube, "quiz")
    out = exec_python(
        kube, pod, connect_code("1.1.1.1", 443) + connect_code(name_of("postgresql"), 5432)
    )
    lines = out.strip().splitlines()
    assert lines[0].startswith("CLOSED"), f"quiz reached the internet: {out}"
    assert lines[1] == "OPEN", f"quiz cannot reach PostgreSQL: {out}"


def test_pgadmin_logs_in(kube: client.ApiClient) -> None:
    secret = client.CoreV1Api(kube).read_namespaced_secret(name_of("pgadmin"), NAMESPACE)
    password = base64.b64decode(secret.data["pgadmin-password"]).decode()
    deployment = client.AppsV1Api(kube).read_namespaced_deployment(name_of("pgadmin"), NAMESPACE)
    env = {e.name: e.value for e in deployment.spec.template.spec.containers[0].env}
    code = f"""
import http.cookiejar, re, urllib.parse, urllib.request
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
base = "http://127.0.0.1:{env["PGADMIN_LISTEN_PORT"]}"
page = opener.open(base + "/login", timeout=10).read().decode()
token = re.search(r'csrf_token"?[^>]*value="([^"]+)"', page) or re.search(r'"csrfToken": "([^"]+)"', page)
data = urllib.parse.urlencode({{"email": {env["PGADMIN_DEFAULT_EMAIL"]!r}, "password": {password!r},
                                 "csrf_token": token.group(1) if token else ""}}).encode()
answer = opener.open(base + "/authenticate/login", data=data, timeout=10)
print("URL", answer.geturl())
"""
    out = exec_python(kube, first_pod(kube, "pgadmin"), code, python="/venv/bin/python3")
    assert "URL" in out, out
    assert "/login" not in out.split("URL", 1)[1], f"pgAdmin refused the login: {out}"
