"""Small helpers over the kubernetes client for the e2e suite: run a one-shot pod, exec in a pod."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from kubernetes import client
from kubernetes.stream import stream

NAMESPACE = os.environ.get("VOCABULO_NAMESPACE", "vocabulo")
RELEASE = os.environ.get("VOCABULO_RELEASE", "vocabulo")
PREFIX = RELEASE if "vocabulo" in RELEASE else f"{RELEASE}-vocabulo"
IMAGE_TAG = os.environ.get("IMAGE_TAG", "0.1.0")
CLIENT_LABEL = {"vocabulo.io/client": "true"}

RESTRICTED_POD: dict[str, Any] = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESTRICTED_CONTAINER: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def name_of(component: str) -> str:
    """Object name of a component in the release."""
    return f"{PREFIX}-{component}"


def run_python(
    api: client.ApiClient,
    code: str,
    labels: dict[str, str],
    namespace: str = NAMESPACE,
    timeout: float = 180,
) -> tuple[str, str]:
    """Run ``python -c code`` in a throwaway pod (quiz image); return (phase, logs)."""
    core = client.CoreV1Api(api)
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "vocabulo-e2e", **labels}},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "securityContext": RESTRICTED_POD,
            "containers": [
                {
                    "name": "run",
                    "image": f"vocabulo/quiz:{IMAGE_TAG}",
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["python", "-c", code],
                    "securityContext": RESTRICTED_CONTAINER,
                }
            ],
        },
    }
    core.create_namespaced_pod(namespace, pod)
    try:
        deadline = time.monotonic() + timeout
        phase = "Pending"
        while time.monotonic() < deadline:
            phase = core.read_namespaced_pod(name, namespace).status.phase
            if phase in ("Succeeded", "Failed"):
                break
            time.sleep(2)
        return phase, core.read_namespaced_pod_log(name, namespace)
    finally:
        core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)


def exec_python(
    api: client.ApiClient, pod: str, code: str, container: str | None = None, python: str = "python"
) -> str:
    """Output of ``python -c code`` run inside an existing pod."""
    kwargs = {"container": container} if container else {}
    return stream(
        client.CoreV1Api(api).connect_get_namespaced_pod_exec,
        pod,
        NAMESPACE,
        command=[python, "-c", code],
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
        **kwargs,
    )


def first_pod(api: client.ApiClient, component: str) -> str:
    """Name of a running pod of ``component``."""
    pods = (
        client.CoreV1Api(api)
        .list_namespaced_pod(
            NAMESPACE,
            label_selector=f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/component={component}",
        )
        .items
    )
    running = [p.metadata.name for p in pods if p.status.phase == "Running"]
    assert running, f"no running {component} pod"
    return running[0]


def component_objects(api: client.ApiClient, component: str, kind: str = "Job") -> list[Any]:
    """Objects of one component of the release, found by label (names carry hashes)."""
    selector = f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/component={component}"
    if kind == "Job":
        return client.BatchV1Api(api).list_namespaced_job(NAMESPACE, label_selector=selector).items
    raise ValueError(kind)


def connect_code(host: str, port: int, timeout: float = 5) -> str:
    """Python that prints OPEN or CLOSED for a TCP connection attempt."""
    return (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(({host!r}, {port}), timeout={timeout}).close(); print('OPEN')\n"
        "except OSError as exc:\n"
        "    print('CLOSED', exc)\n"
    )
