"""Request and response bodies of the Junior API (the contract the Junior app uses)."""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_TEXT_CHARS = 20_000


class WordResult(BaseModel):
    """One token (or kept expression) with its sense, sign URL and confidence."""

    word: str
    lemma: str
    pos: str = Field(description="UPOS tag, or COMPOUND for a kept multi-word expression")
    function: str
    definition: str
    url: str
    confidence: float = Field(ge=0.0, le=1.0)
    difficulty: int | None = Field(default=None, description="niv_diff_id of the sense")


class SentenceResult(BaseModel):
    """A sentence and its words in reading order."""

    sentence: str
    words: list[WordResult]


class ImageResult(BaseModel):
    """Response of ``POST /process-image/``."""

    original_text: str
    processed_results: list[SentenceResult]


class TextRequest(BaseModel):
    """Body of ``POST /v1/process-text``."""

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    target_difficulty: int = Field(default=1, ge=1, le=3)


class TextResult(BaseModel):
    """Response of ``POST /v1/process-text``."""

    processed_results: list[SentenceResult]
