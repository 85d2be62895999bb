"""Request and response bodies of the Quiz API (the mobile app's contract + /v1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

Feeling = Literal["Trop dur", "Bien", "Trop facile"]
MotId = Annotated[int, Field(ge=1, le=2_147_483_647)]  # PostgreSQL integer
CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock may run a little ahead
UserId = Field(
    description="the learner's uuid",
    examples=["001b6789-96de-448c-9ede-5c787514be27"],
    max_length=100,
)


class RecommendationRequest(BaseModel):
    """Body of POST /get_recommendations."""

    user_id: str = UserId
    n: int | None = Field(default=None, ge=1, le=50, description="how many words (default 10)")


class Recommendation(BaseModel):
    """One recommended word (one sense); category/subcategory are comma-joined names."""

    mot_id: int
    mot: str
    category: str
    subcategory: str
    niv_diff_id: int
    url_sign: str
    url_def: str
    recommendation_score: float


class RecommendationResponse(BaseModel):
    recommendations: list[Recommendation]


class AnswerIn(BaseModel):
    """One answered word of a finished quiz."""

    mot_id: MotId
    correct: bool
    used_sign: bool = False
    feeling: Feeling | None = None


class QuizIn(BaseModel):
    """A finished quiz: answers (distinct words) and an optional feeling about the whole quiz."""

    user_id: str = UserId
    answers: list[AnswerIn] = Field(min_length=1, max_length=50)
    feeling: Feeling | None = None
    taken_at: datetime | None = Field(default=None, description="default: now")

    @field_validator("answers")
    @classmethod
    def distinct_words(cls, answers: list[AnswerIn]) -> list[AnswerIn]:
        """A word is answered once per quiz."""
        ids = [a.mot_id for a in answers]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate mot_id in answers")
        return answers

    @field_validator("taken_at")
    @classmethod
    def aware_and_past(cls, value: datetime | None) -> datetime | None:
        """A real moment: with a time zone PostgreSQL accepts, not before 2000, not in the future.

        A future date would pin the word as "seen today" for years in the learner's history.
        """
        if value is None:
            return value
        offset = value.utcoffset()
        if offset is None:
            raise ValueError("taken_at needs a time zone, e.g. 2026-11-27T08:00:00Z")
        if abs(offset) > timedelta(hours=14):
            raise ValueError("taken_at has an impossible time-zone offset (beyond ±14:00)")
        if value.year < 2000 or value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("taken_at must lie between 2000 and now")
        return value


class QuizRecorded(BaseModel):
    quiz_id: str
    recorded_answers: int


class Progress(BaseModel):
    """A learner's level and progress."""

    user_id: str
    level: int = Field(ge=1, le=5)
    words_seen: int
    words_mastered: int
    answers: int
    accuracy: float = Field(description="share of right answers (smoothed: 0.5 with no answer)")
    basique_mastery: float = Field(description="share of the basique category mastered")
    basique_total: int
    quizzes: int
    last_quiz_at: datetime | None


class PredictionRequest(BaseModel):
    user_id: str = UserId
    mot_ids: list[MotId] = Field(min_length=1, max_length=200)


class Prediction(BaseModel):
    mot_id: int
    mot: str
    probability: float


class PredictionResponse(BaseModel):
    model_version: str
    predictions: list[Prediction]
