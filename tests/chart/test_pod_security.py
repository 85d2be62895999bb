"""Every rendered pod meets Pod Security Standards "restricted", with a read-only root filesystem."""

from __future__ import annotations

from typing import Any

import pytest
from chart_render import VARIANTS, pod_specs

ALLOWED_VOLUMES = {
    "configMap",
    "secret",
    "emptyDir",
    "persistentVolumeClaim",
    "projected",
    "downwardAPI",
    "csi",
    "ephemeral",
}


def _effective(pod: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    """A security setting from the container, else from the pod."""
    own = container.get("securityContext", {})
    return own[key] if key in own else pod.get("securityContext", {}).get(key)


def violations(spec: dict[str, Any]) -> list[str]:
    """PSS restricted (v1.31) rules broken by one pod spec, plus our read-only root rule."""
    found = []
    if spec.get("automountServiceAccountToken") is not False:
        found.append("automountServiceAccountToken is not false")
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            found.append(flag)
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            found.append(f"volume {volume['name']} uses {kinds - ALLOWED_VOLUMES}")
    pod_seccomp = spec.get("securityContext", {}).get("seccompProfile", {}).get("type")
    if spec.get("securityContext", {}).get("runAsUser") == 0:
        found.append("pod runAsUser 0")
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        name, sc = container["name"], container.get("securityContext", {})
        if sc.get("privileged"):
            found.append(f"{name}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation is not false")
        if _effective(spec, container, "runAsNonRoot") is not True:
            found.append(f"{name}: runAsNonRoot is not true")
        uid = _effective(spec, container, "runAsUser")
        if not isinstance(uid, int) or uid == 0:
            found.append(f"{name}: runAsUser is {uid!r}, needs a non-zero UID")
        seccomp = sc.get("seccompProfile", {}).get("type", pod_seccomp)
        if seccomp not in {"RuntimeDefault", "Localhost"}:
            found.append(f"{name}: seccompProfile {seccomp!r}")
        caps = sc.get("capabilities", {})
        if caps.get("drop") != ["ALL"]:
            found.append(f"{name}: capabilities.drop is not [ALL]")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: adds capabilities {caps['add']}")
        if sc.get("readOnlyRootFilesystem") is not True:
            found.append(f"{name}: root filesystem is writable")
        for port in container.get("ports", []):
            if "hostPort" in port:
                found.append(f"{name}: hostPort")
        if not container.get("resources", {}).get("limits", {}).get("memory"):
            found.append(f"{name}: no memory limit")
    return found


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_pod_is_restricted_with_read_only_root(
    docs: dict[str, list[dict[str, Any]]], variant: str
) -> None:
    walked = 0
    for name, _, spec in pod_specs(docs[variant]):
        walked += 1
        assert not violations(spec), f"{variant} {name}: {violations(spec)}"
    assert walked >= 5


def test_the_walker_catches_a_bad_pod() -> None:
    bad = {
        "securityContext": {"runAsUser": 0},
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
        "containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}],
    }
    found = " ".join(violations(bad))
    for needle in (
        "automount",
        "hostPath",
        "runAsNonRoot",
        "allowPrivilegeEscalation",
        "writable",
        "SYS_ADMIN",
        "seccomp",
        "memory",
    ):
        assert needle in found


def test_only_pgadmin_adds_a_capability_and_exactly_net_bind_service(
    docs: dict[str, list[dict[str, Any]]],
) -> None:
    """The pgAdmin image's python carries NET_BIND_SERVICE as a file capability: with it dropped
    the kernel refuses to exec it (issue 15 item 1). PSS restricted allows adding back exactly
    that one (kubernetes.io/docs/concepts/security/pod-security-standards, "Capabilities")."""
    added = {}
    for name, _, spec in pod_specs(docs["default"]):
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            caps = container.get("securityContext", {}).get("capabilities", {})
            assert caps.get("drop") == ["ALL"], (name, container["name"])
            if caps.get("add"):
                added[(name, container["name"])] = caps["add"]
    assert added == {("Deployment/vocabulo-pgadmin", "pgadmin"): ["NET_BIND_SERVICE"]}
    worse = {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 5050},
        "containers": [
            {
                "name": "pgadmin",
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "seccompProfile": {"type": "RuntimeDefault"},
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "NET_RAW"]},
                },
                "resources": {"limits": {"memory": "1Gi"}},
            }
        ],
    }
    assert violations(worse) == ["pgadmin: adds capabilities ['NET_BIND_SERVICE', 'NET_RAW']"]
