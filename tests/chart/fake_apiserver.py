"""A fake kube-apiserver, just enough for ``helm template --dry-run=server``: discovery, and GET
of Secrets held in memory. It lets real helm run the chart's ``lookup`` path offline."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

GROUPS = {
    "apps": ["v1"],
    "batch": ["v1"],
    "networking.k8s.io": ["v1"],
    "policy": ["v1"],
    "autoscaling": ["v2"],
}
# Kinds the chart renders, per group/version (helm maps every object to a resource).
GROUP_KINDS = {
    "apps/v1": ["Deployment", "StatefulSet"],
    "batch/v1": ["Job", "CronJob"],
    "networking.k8s.io/v1": ["NetworkPolicy", "Ingress"],
    "policy/v1": ["PodDisruptionBudget"],
    "autoscaling/v2": ["HorizontalPodAutoscaler"],
}
CORE_RESOURCES = [
    {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret"},
    {"name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap"},
    {"name": "services", "singularName": "service", "namespaced": True, "kind": "Service"},
    {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod"},
    {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace"},
    {
        "name": "persistentvolumeclaims",
        "singularName": "persistentvolumeclaim",
        "namespaced": True,
        "kind": "PersistentVolumeClaim",
    },
]
SECRET_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/secrets/([^/?]+)$")


class FakeCluster:
    """Secrets by (namespace, name); what ``lookup`` finds."""

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[str] = []

    def store(self, secret: dict[str, Any]) -> None:
        meta = secret["metadata"]
        self.secrets[(meta["namespace"], meta["name"])] = secret

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        self.requests.append(path)
        path = path.split("?", 1)[0]
        if path == "/version":
            return 200, {
                "major": "1",
                "minor": "31",
                "gitVersion": "v1.31.4",
                "platform": "linux/amd64",
            }
        if path == "/api":
            return 200, {
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [],
            }
        if path == "/api/v1":
            return 200, _resource_list("v1", CORE_RESOURCES)
        if path == "/apis":
            groups = [
                {
                    "name": group,
                    "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                    "preferredVersion": {
                        "groupVersion": f"{group}/{versions[0]}",
                        "version": versions[0],
                    },
                }
                for group, versions in GROUPS.items()
            ]
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if path.startswith("/apis/"):
            parts = path.strip("/").split("/")
            if len(parts) == 3 and parts[2] in GROUPS.get(parts[1], []):
                group_version = f"{parts[1]}/{parts[2]}"
                kinds = GROUP_KINDS.get(group_version, [])
                resources = [
                    {
                        "name": k.lower() + "s",
                        "singularName": k.lower(),
                        "namespaced": True,
                        "kind": k,
                    }
                    for k in kinds
                ]
                return 200, _resource_list(group_version, resources)
        found = SECRET_PATH.match(path)
        if found and (found[1], found[2]) in self.secrets:
            return 200, self.secrets[(found[1], found[2])]
        return 404, {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "reason": "NotFound",
            "code": 404,
            "message": f"{path} not found",
        }


def _resource_list(group_version: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    verbs = ["get", "list", "create", "update", "patch", "delete"]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [{**r, "verbs": verbs} for r in resources],
    }


@contextmanager
def fake_apiserver(workdir: Path) -> Iterator[tuple[FakeCluster, Path]]:
    """Serve a FakeCluster on 127.0.0.1; yield it and a kubeconfig file pointing at it."""
    cluster = FakeCluster()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code, body = cluster.answer(self.path)
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = workdir / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "fake",
                        "cluster": {"server": f"http://127.0.0.1:{server.server_port}"},
                    }
                ],
                "users": [{"name": "fake", "user": {"token": "fake"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
                "current-context": "fake",
            }
        )
    )
    try:
        yield cluster, kubeconfig
    finally:
        server.shutdown()
        server.server_close()
