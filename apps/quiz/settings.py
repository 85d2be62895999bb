"""Quiz API settings (environment variables prefixed ``QUIZ_``; database from DATABASE_URL/PG*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from apps.common.auth import AuthSettings
from apps.common.settings import ServiceSettings
from apps.quiz.model import DEFAULT_MODEL_PATH


class QuizSettings(ServiceSettings, AuthSettings):
    """Everything the Quiz API reads from its environment, validated at start-up."""

    model_config = SettingsConfigDict(env_prefix="QUIZ_", extra="ignore")

    model_path: Path = Field(default=DEFAULT_MODEL_PATH, description="ONNX model file")
    onnx_threads: int = Field(default=1, ge=1, le=16, description="onnxruntime intra-op threads")
    default_n: int = Field(default=10, ge=10, le=50, description="recommendations when n is absent")
    max_candidates: int = Field(
        default=300,
        ge=50,
        le=20000,
        description=(
            "words scored by the model per request: seen words (up to half) + a random draw"
            " of unseen ones; the model's cost grows linearly with it (~1.6 µs a word)"
        ),
    )
    read_pool_size: int = Field(
        default=8,
        ge=1,
        le=100,
        description="connections of the hot read pool (kept open; more concurrent reads wait)",
    )
    startup_retry_max_s: float = Field(
        default=30.0,
        gt=0,
        le=300,
        description="longest pause between start-up tries (doubling from startup_db_delay_s)",
    )
    random_seed: int | None = Field(
        default=None, description="fix the recommendations' randomness (tests, demos)"
    )
    require_sign: bool = Field(
        default=True, description="recommend only senses with an LSF sign video (when any exist)"
    )
    demo_learners: bool = Field(
        default=True,
        description="list the seed dump's demo accounts at GET /v1/demo-learners (try-it page)",
    )
