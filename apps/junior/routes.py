"""HTTP routes of the Junior API: ``POST /process-image/`` and ``POST /v1/process-text``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile

from apps.junior.images import ImageRejected
from apps.junior.pipeline import JuniorPipeline, OcrDisabled
from apps.junior.schemas import ImageResult, TextRequest, TextResult

router = APIRouter(tags=["junior"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "not an image, empty or unsupported format"},
    413: {"description": "image too large (bytes or pixels)"},
    503: {"description": "warming up, busy, or database unavailable"},
}


def pipeline_of(request: Request) -> JuniorPipeline:
    """The loaded pipeline, or 503 while the models are still loading."""
    pipeline: JuniorPipeline | None = request.app.state.pipeline
    if pipeline is None:
        raise HTTPException(
            503, "Models are loading, please retry shortly", headers={"Retry-After": "5"}
        )
    return pipeline


@contextmanager
def admitted(request: Request) -> Iterator[None]:
    """Refuse quickly (503) rather than queue when every worker slot is busy."""
    slots: threading.BoundedSemaphore = request.app.state.slots
    if not slots.acquire(timeout=request.app.state.settings.queue_timeout_s):
        raise HTTPException(
            503, "Too many pages in progress, please retry shortly", headers={"Retry-After": "2"}
        )
    try:
        yield
    finally:
        slots.release()


def read_upload(file: UploadFile, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the upload (enough to tell it is too large)."""
    return file.file.read(limit + 1)


@router.post(
    "/process-image/",
    response_model=ImageResult,
    response_model_exclude_none=True,
    responses=ERRORS,
)
def process_image(
    request: Request,
    file: Annotated[UploadFile, File(description="photo of a page: JPEG, PNG, WebP or HEIC")],
    target_difficulty: Annotated[int, Query(ge=1, le=3)] = 1,
) -> dict[str, Any]:
    """Read a photographed page and link every word to its sense and LSF sign."""
    pipeline = pipeline_of(request)
    data = read_upload(file, pipeline.settings.max_upload_bytes)
    with admitted(request):
        try:
            return pipeline.process_image(data, target_difficulty)
        except ImageRejected as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        except OcrDisabled as exc:
            raise HTTPException(
                503, "This deployment reads text only (JUNIOR_OCR=false): use /v1/process-text"
            ) from exc


@router.post(
    "/v1/process-text",
    response_model=TextResult,
    response_model_exclude_none=True,
    responses={503: ERRORS[503]},
)
def process_text(request: Request, body: TextRequest) -> dict[str, Any]:
    """Link every word of a text (no OCR) to its sense and LSF sign."""
    pipeline = pipeline_of(request)
    with admitted(request):
        results = pipeline.process_text(body.text, body.target_difficulty)
    return {"processed_results": results}
