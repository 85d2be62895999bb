"""ONNX Runtime sessions, configured the same way in every service."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def onnx_session(
    path: Path, threads: int, custom_ops_library: str | None = None, *, memory_arena: bool = True
) -> Any:
    """A CPU onnxruntime session with ``threads`` intra-op threads.

    ONNX Runtime sizes its pool from the host's cores, not the container's CPU limit, so the
    thread count always comes from settings. ``memory_arena=False`` turns the CPU arena off, so
    a model fed inputs of varying shape (a sentence encoder) returns its buffers after each run
    instead of keeping the largest one ever asked for.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    if custom_ops_library:
        options.register_custom_ops_library(custom_ops_library)
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if not memory_arena:
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
