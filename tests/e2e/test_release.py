"""End to end against a live kind release (`make up`, then `make e2e`): APIs through their Services,
restore Job, pgAdmin login, and NetworkPolicies enforced by kindnet."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import (
    CLIENT_LABEL,
    NAMESPACE,
    connect_code,
    exec_python,
    first_pod,
    name_of,
    run_python,
)
from kubernetes import client

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CALL_API = """
import json, urllib.request
for api in ("{quiz}", "{junior}"):
    with urllib.request.urlopen(f"http://{{api}}/ready", timeout=10) as answer:
        body = json.load(answer)
        assert answer.status == 200 and body.get("ready") is True, body
print("APIS-OK")
"""


def test_restore_job_completed(kube: client.ApiClient) -> None:
    job = client.BatchV1Api(kube).read_namespaced_job(name_of("db-restore"), NAMESPACE)
    assert (job.status.succeeded or 0) >= 1, job.status


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
