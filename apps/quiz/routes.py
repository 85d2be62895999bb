"""HTTP routes: the app's /get_recommendations and the versioned /v1 endpoints.

Reads are ``async``: the history query is awaited on a non-blocking connection and the
scoring (about 1 ms of numpy + onnxruntime) runs on the event loop, with no threadpool hop.
The quiz write is a plain ``def`` (SQLAlchemy transaction in FastAPI's threadpool).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from sqlalchemy.exc import IntegrityError

from apps.quiz import idempotency
from apps.quiz.history import Answer, quiz_stats
from apps.quiz.schemas import (
    Prediction,
    PredictionRequest,
    PredictionResponse,
    Progress,
    QuizIn,
    QuizRecorded,
    RecommendationRequest,
    RecommendationResponse,
)
from apps.quiz.service import QuizService, UnknownUser, UnknownWords

INVALID_USER = "Invalid user ID format"
USER_NOT_FOUND = "User not found"
SERVICE_STARTING = "Service starting (dictionary not loaded yet), please retry shortly"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": INVALID_USER},
    404: {"description": USER_NOT_FOUND},
    503: {"description": "database unavailable, or the service is still starting"},
}


async def get_service(request: Request) -> QuizService:
    """The service built at start-up (async: no threadpool hop); 503 while it is not built."""
    svc: QuizService | None = request.app.state.quiz
    if svc is None:
        raise HTTPException(503, SERVICE_STARTING, headers={"Retry-After": "5"})
    return svc


ServiceDep = Annotated[QuizService, Depends(get_service)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=idempotency.KEY_PATTERN,
        description="client-chosen key (e.g. a uuid per quiz): a retry with the same key and "
        "body returns the first result and records nothing more",
    ),
]
router = APIRouter()


def parse_user_id(raw: str) -> uuid.UUID:
    """A uuid, or 400 with the message the app expects."""
    try:
        return uuid.UUID(raw.strip())
    except (ValueError, AttributeError):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, INVALID_USER) from None


@router.post(
    "/get_recommendations",
    response_model=RecommendationResponse,
    responses=ERRORS,
    tags=["quiz app"],
)
async def get_recommendations(
    body: RecommendationRequest, svc: ServiceDep, request: Request
) -> Response:
    """Words for the learner's next quiz (default 10), distinct spellings, best first."""
    user_id = parse_user_id(body.user_id)
    n = body.n or request.app.state.settings.default_n
    try:
        picks = await svc.recommend(user_id, n)
    except UnknownUser:
        raise HTTPException(status.HTTP_404_NOT_FOUND, USER_NOT_FOUND) from None
    # Serialised here (same shape as RecommendationResponse, checked by the tests): the hot
    # path skips re-validating data the service built itself.
    payload = svc.dictionary.recommendation_json(picks)
    return Response(payload, media_type="application/json")


@router.post(
    "/v1/quizzes",
    response_model=QuizRecorded,
    status_code=201,
    tags=["v1"],
    responses={
        **ERRORS,
        409: {"description": "conflicting concurrent writes or changed data: retry"},
        422: {"description": "invalid answers, unknown words or a reused Idempotency-Key"},
    },
)
def record_quiz(
    body: QuizIn, svc: ServiceDep, response: Response, key: IdempotencyKey = None
) -> QuizRecorded:
    """Record a finished quiz atomically; the next recommendations use it at once.

    With an ``Idempotency-Key`` header, a retry returns the first result (header
    ``Idempotent-Replayed: true``) and records nothing.
    """
    user_id = parse_user_id(body.user_id)
    answers = [Answer(a.mot_id, a.correct, a.used_sign, a.feeling) for a in body.answers]
    claim = (key, idempotency.fingerprint(body.model_dump_json())) if key else None
    try:
        done = svc.record(user_id, answers, body.taken_at, body.feeling, claim)
    except UnknownUser:
        raise HTTPException(status.HTTP_404_NOT_FOUND, USER_NOT_FOUND) from None
    except (UnknownWords, idempotency.KeyReused) as exc:
        raise HTTPException(422, str(exc)) from None
    except IntegrityError:  # a word or user removed meanwhile: nothing was written
        raise HTTPException(status.HTTP_409_CONFLICT, "Quiz conflicts with current data") from None
    if done.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return QuizRecorded(quiz_id=str(done.quiz_id), recorded_answers=done.recorded_answers)


@router.get(
    "/v1/learners/{user_id}/progress", response_model=Progress, responses=ERRORS, tags=["v1"]
)
async def progress(user_id: str, svc: ServiceDep) -> Progress:
    """Level 1–5, words seen and mastered, mastery of the basique category."""
    uid = parse_user_id(user_id)
    try:
        learner = await svc.learner(uid)
    except UnknownUser:
        raise HTTPException(status.HTTP_404_NOT_FOUND, USER_NOT_FOUND) from None
    count, last = await quiz_stats(svc.reads, uid)
    s = learner.summary
    return Progress(
        user_id=str(uid),
        level=s.level,
        words_seen=s.words_seen,
        words_mastered=s.words_mastered,
        answers=s.answers,
        accuracy=round(s.accuracy, 4),
        basique_mastery=round(s.basique_mastery, 4),
        basique_total=svc.dictionary.n_basique,
        quizzes=count,
        last_quiz_at=last,
    )


@router.post(
    "/v1/predictions",
    response_model=PredictionResponse,
    tags=["v1"],
    responses={**ERRORS, 422: {"description": "unknown words"}},
)
async def predictions(body: PredictionRequest, svc: ServiceDep) -> PredictionResponse:
    """The model's probability that the learner answers each given word right."""
    uid = parse_user_id(body.user_id)
    try:
        _, p = await svc.predict(uid, body.mot_ids)
    except UnknownUser:
        raise HTTPException(status.HTTP_404_NOT_FOUND, USER_NOT_FOUND) from None
    except UnknownWords as exc:
        raise HTTPException(422, str(exc)) from None
    pos = svc.positions(body.mot_ids)
    d = svc.dictionary
    return PredictionResponse(
        model_version=svc.model.version,
        predictions=[
            Prediction(mot_id=m, mot=d.mot[i], probability=round(float(pi), 4))
            for m, i, pi in zip(body.mot_ids, pos.tolist(), p.tolist(), strict=True)
        ],
    )
