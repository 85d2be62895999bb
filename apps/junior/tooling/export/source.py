"""Where the model comes from: a local directory, or the Hugging Face hub when it is reachable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HUB_TIMEOUT_S = 15.0
HINT = (
    "Run the export on a machine that reaches https://huggingface.co "
    "(make export-junior-models MODEL=camembert-base), or pass --model a local directory "
    "holding config.json, the weights and the tokenizer (save_pretrained output)."
)


class SourceUnavailable(Exception):
    """The model is neither a usable local directory nor reachable on the hub."""


@dataclass(frozen=True)
class ModelSource:
    """A resolved model: what to pass to the exporter and what to record in the manifest."""

    name_or_path: str
    local: bool
    revision: str | None = None


def _looks_like_path(model: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else path-like is a local directory."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1


def resolve_local(path: Path) -> ModelSource:
    """A local save_pretrained directory (must hold config.json)."""
    if not path.is_dir():
        raise SourceUnavailable(f"{path} is not a directory. {HINT}")
    if not (path / "config.json").is_file():
        raise SourceUnavailable(f"{path} holds no config.json: not a save_pretrained directory.")
    return ModelSource(str(path.resolve()), local=True)


def resolve_hub(repo_id: str, revision: str, timeout: float = HUB_TIMEOUT_S) -> ModelSource:
    """Ask the hub for ``repo_id`` at ``revision``; SourceUnavailable when it cannot answer."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        raise SourceUnavailable(
            f"{repo_id!r} is not a local directory and HF_HUB_OFFLINE is set. {HINT}"
        )
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    try:
        info = HfApi().model_info(repo_id, revision=revision, timeout=timeout)
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise SourceUnavailable(f"{repo_id!r}@{revision} does not exist on the hub.") from exc
    except Exception as exc:  # network errors come in many classes (requests, httpx, OSError)
        raise SourceUnavailable(
            f"cannot reach the Hugging Face hub for {repo_id!r} "
            f"({type(exc).__name__}: {str(exc)[:200]}). {HINT}"
        ) from exc
    return ModelSource(repo_id, local=False, revision=info.sha or revision)


def resolve_source(model: str, revision: str = "main") -> ModelSource:
    """A local directory when ``model`` names one, else a hub model id checked for reachability."""
    path = Path(model).expanduser()
    if path.exists() or _looks_like_path(model):
        return resolve_local(path)
    return resolve_hub(model, revision)
