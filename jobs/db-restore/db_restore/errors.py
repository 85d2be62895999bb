"""The two ways a restore ends badly, mapped to the CLI's exit codes."""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments or configuration (exit 2); nothing was attempted."""


class RestoreError(Exception):
    """The restore failed (exit 1); the database is left as it was."""
