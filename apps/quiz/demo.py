"""``GET /v1/demo-learners``: the seed dump's demo accounts, for the try-it page (read-only).

Only the generated demo accounts are listed (pseudo ``demo00``–``demo99`` and no password, as
``data/build/learners.py`` writes them), never real learners; ``QUIZ_DEMO_LEARNERS=false``
turns the endpoint off (404) where even that list should not be public.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import text

from apps.quiz.service import QuizService

MAX_DEMO_LEARNERS = 100
DEMO_LEARNERS_SQL = text("""
SELECT a.user_id::text, a.pseudo,
       (SELECT count(DISTINCT q.quiz_id) FROM quiz q WHERE q.user_id = a.user_id) AS quizzes
  FROM authentication a
 WHERE a.pseudo ~ '^demo[0-9]{2}$' AND a.password IS NULL
 ORDER BY a.pseudo
 LIMIT :limit
""")

demo_router = APIRouter(tags=["v1"])


class DemoLearner(BaseModel):
    """A demo account of the seed dump."""

    user_id: str
    pseudo: str
    quizzes: int


class DemoLearners(BaseModel):
    learners: list[DemoLearner]


@demo_router.get(
    "/v1/demo-learners",
    response_model=DemoLearners,
    responses={404: {"description": "demo learners are not listed here"}},
)
def demo_learners(request: Request) -> DemoLearners:
    """The demo learners (pseudo, uuid, number of quizzes), to try the API without an account."""
    if not request.app.state.settings.demo_learners:
        raise HTTPException(404, "Demo learners are not listed on this deployment")
    svc: QuizService = request.app.state.quiz
    with svc.engine.connect() as conn:
        rows = conn.execute(DEMO_LEARNERS_SQL, {"limit": MAX_DEMO_LEARNERS}).all()
    return DemoLearners(
        learners=[DemoLearner(user_id=u, pseudo=p, quizzes=int(q)) for u, p, q in rows]
    )
