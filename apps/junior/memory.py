"""Give freed heap memory back to the system after a page (glibc ``malloc_trim``).

Decoding and OCR allocate tens of MB per page in many small and medium blocks; glibc keeps
them in its arenas, so RSS only grows with concurrent pages. ``MALLOC_ARENA_MAX=2`` (set in the
image) bounds the arenas; trimming after each page returns their free pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def trim() -> bool:
    """Return free heap pages to the OS; False where the C library has no ``malloc_trim``."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))
