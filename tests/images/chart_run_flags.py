"""`docker run` flags that reproduce how the chart runs a container (user, read-only root,
capabilities, no-new-privileges, tmpfs where the chart mounts emptyDirs)."""

from __future__ import annotations

from typing import Any


def run_flags(pod_spec: dict[str, Any], container: str) -> list[str]:
    """The flags for ``container`` of a rendered pod spec."""
    spec = next(c for c in pod_spec["containers"] if c["name"] == container)
    pod_ctx = pod_spec.get("securityContext", {})
    ctx = {**pod_ctx, **spec.get("securityContext", {})}
    flags: list[str] = []
    user = ctx.get("runAsUser")
    if user is not None:
        group = ctx.get("runAsGroup", pod_ctx.get("fsGroup", user))
        flags += ["--user", f"{user}:{group}"]
    if ctx.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    caps = ctx.get("capabilities", {})
    for cap in caps.get("drop", []):
        flags += ["--cap-drop", str(cap)]
    for cap in caps.get("add", []):
        flags += ["--cap-add", str(cap)]
    if ctx.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    empty_dirs = {v["name"] for v in pod_spec.get("volumes", []) if "emptyDir" in v}
    uid = user if user is not None else 0
    for mount in spec.get("volumeMounts", []):
        if mount["name"] in empty_dirs:
            flags += ["--tmpfs", f"{mount['mountPath']}:rw,uid={uid},gid={uid},mode=0700"]
    for env in spec.get("env", []):
        if "value" in env:
            flags += ["--env", f"{env['name']}={env['value']}"]
    return flags
