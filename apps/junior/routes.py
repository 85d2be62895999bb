"""HTTP routes of the Junior API: ``POST /process-image/`` and ``POST /v1/process-text``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile

from apps.common.admission import admitted
from apps.junior.images import ImageRejected
from apps.junior.pipeline import JuniorPipeline, OcrDisabled, TextTooLong
from apps.junior.schemas import ImageResult, TextRequest, TextResult

router = APIRouter(tags=["junior"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "not an image, empty or unsupported format"},
    413: {"description": "image too large (bytes or pixels), or too many sentences"},
    503: {"description": "warming up, busy, or database unavailable"},
}


async def pipeline_of(request: Request) -> JuniorPipeline:
    """The loaded pipeline, or 503 while the models are still loading (async: no thread)."""
    pipeline: JuniorPipeline | None = request.app.state.pipeline
    if pipeline is None:
        raise HTTPException(
            503, "Models are loading, please retry shortly", headers={"Retry-After": "5"}
        )
    return pipeline


Loaded = Annotated[JuniorPipeline, Depends(pipeline_of)]
# scope="function": the slot is given back when the work ends, before the reply is sent.
Admitted = Depends(admitted, scope="function")


def read_upload(file: UploadFile, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the upload (enough to tell it is too large)."""
    return file.file.read(limit + 1)


@router.post(
    "/process-image/",
    response_model=ImageResult,
    response_model_exclude_none=True,
    responses=ERRORS,
    dependencies=[Admitted],
)
def process_image(
    pipeline: Loaded,
    file: Annotated[UploadFile, File(description="photo of a page: JPEG, PNG, WebP or HEIC")],
    target_difficulty: Annotated[int, Query(ge=1, le=3)] = 1,
) -> dict[str, Any]:
    """Read a photographed page and link every word to its sense and LSF sign."""
    data = read_upload(file, pipeline.settings.max_upload_bytes)
    try:
        return pipeline.process_image(data, target_difficulty)
    except ImageRejected as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except TextTooLong as exc:
        raise HTTPException(413, str(exc)) from exc
    except OcrDisabled as exc:
        raise HTTPException(
            503, "This deployment reads text only (JUNIOR_OCR=false): use /v1/process-text"
        ) from exc


@router.post(
    "/v1/process-text",
    response_model=TextResult,
    response_model_exclude_none=True,
    responses={413: {"description": "body or sentence count over the limit"}, 503: ERRORS[503]},
    dependencies=[Admitted],
)
def process_text(pipeline: Loaded, body: TextRequest) -> dict[str, Any]:
    """Link every word of a text (no OCR) to its sense and LSF sign.

    At most ``JUNIOR_MAX_SENTENCES`` sentences (413 beyond); a run-on sentence is read whole
    but only its first ``JUNIOR_MAX_SENTENCE_WORDS`` words decide its senses.
    """
    try:
        results = pipeline.process_text(body.text, body.target_difficulty)
    except TextTooLong as exc:
        raise HTTPException(413, str(exc)) from exc
    return {"processed_results": results}
