"""Quiz API: FastAPI app whose lifespan loads the ONNX model and the dictionary once.

Run: ``uvicorn apps.quiz.app:app`` (DATABASE_URL or PG* set; QUIZ_* settings). ``/health``
answers at once; ``/ready`` turns true when the dictionary is loaded (retried in the background
until the database holds it) and the database answers.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, text

from apps.common.api_docs import install_offline_docs
from apps.common.auth import AUTH_RESPONSES, Authenticated, LearnerGuard, install_auth
from apps.common.db import database_ok, install_db_error_handlers, make_engine
from apps.common.http_guards import BodySizeLimit, install_validation_handler
from apps.common.logs import configure_logging
from apps.common.observability import health_router, install_request_middleware
from apps.common.settings import libpq_url
from apps.common.startup import backoff_delays, build_until_ready
from apps.common.web_page import install_web_page
from apps.quiz import idempotency
from apps.quiz.demo import demo_router
from apps.quiz.dictionary import load_dictionary
from apps.quiz.history import READ_STATEMENTS
from apps.quiz.model import QuizModel
from apps.quiz.reader import AsyncReader
from apps.quiz.routes import INVALID_USER, router
from apps.quiz.service import QuizService
from apps.quiz.settings import QuizSettings

log = logging.getLogger("vocabulo.quiz")


# Quiz bodies are small JSON documents (at most 50 answers).
MAX_BODY_BYTES = 256 * 1024
FIRST_TRY_WAIT_S = 60.0  # start-up waits this long for the first build before serving


class NotLoaded(RuntimeError):
    """The database does not hold what the service needs yet (restore still to come)."""


def build_service(settings: QuizSettings, engine: Engine, model: QuizModel) -> QuizService:
    """Load the dictionary and check the idempotency table; raise while they are not there."""
    dictionary = load_dictionary(engine, settings.require_sign)
    if len(dictionary) == 0:
        raise NotLoaded("the dictionary is empty (is the restore Job still running?)")
    with engine.connect() as conn:  # our table (data/post_restore.sql), needed by quiz writes
        conn.execute(text(f"SELECT 1 FROM {idempotency.TABLE} LIMIT 0"))
    log.info(
        "quiz ready: %d senses (%d recommendable), model %s",
        len(dictionary),
        int(dictionary.recommendable.sum()),
        model.version,
    )
    reads = AsyncReader(
        libpq_url(settings.database_url),
        READ_STATEMENTS,
        size=settings.read_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    return QuizService(
        engine, reads, dictionary, model, settings.max_candidates, settings.random_seed
    )


def create_app(settings: QuizSettings | None = None) -> FastAPI:
    """The app; settings are read at start-up when not given.

    Start-up loads and warms the model (a bad model file stops the process), then builds the
    database-backed service: at once when the database is ready, else in the background with
    bounded back-off while ``/ready`` answers 503 (no crash loop while the restore Job runs).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conf = settings or QuizSettings()
        configure_logging(conf.log_level, conf.log_json)
        app.state.settings = conf
        install_auth(app, conf, "quiz")
        model = await run_in_threadpool(QuizModel, conf.model_path, conf.onnx_threads)
        await run_in_threadpool(model.warm_up)
        engine = make_engine(conf, "vocabulo-quiz")
        app.state.engine = engine
        built: list[QuizService] = []
        first_try, stop = threading.Event(), threading.Event()

        def build() -> QuizService:
            try:
                return build_service(conf, engine, model)
            finally:
                first_try.set()

        def ready(svc: QuizService) -> None:
            built.append(svc)
            app.state.quiz = svc
            gc.collect()
            gc.freeze()  # the dictionary and model stay for life: keep them out of every GC pass

        delays = backoff_delays(conf.startup_db_delay_s, conf.startup_retry_max_s)
        loader = build_until_ready("quiz", build, ready, stop, delays)
        # a database that is ready serves from the first request; otherwise go on not ready
        await run_in_threadpool(first_try.wait, FIRST_TRY_WAIT_S)
        try:
            yield
        finally:
            stop.set()
            await run_in_threadpool(loader.join, FIRST_TRY_WAIT_S)
            for svc in built:
                svc.reads.close()
                if app.state.quiz is svc:
                    app.state.quiz = None
            engine.dispose()
            if app.state.engine is engine:
                app.state.engine = None

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="Vocabulo Quiz API",
        version="1.0.0",
        lifespan=lifespan,
        description="Adaptive word recommendations for the Vocabulo Quiz app.",
    )
    app.state.quiz = None
    app.state.engine = None

    def ready_check() -> dict[str, bool]:
        svc, engine = app.state.quiz, app.state.engine
        return {
            "database": engine is not None and database_ok(engine),
            "model": svc is not None,
            "dictionary": svc is not None and len(svc.dictionary) > 0,
        }

    def serving_check() -> dict[str, bool]:
        """Readiness probe: model and dictionary loaded; no database round trip."""
        svc = app.state.quiz
        return {"model": svc is not None, "dictionary": svc is not None and len(svc.dictionary) > 0}

    install_request_middleware(app, "quiz")
    install_db_error_handlers(app)
    install_offline_docs(app)
    install_validation_handler(app, {"user_id": (400, INVALID_USER)})
    app.add_middleware(BodySizeLimit, limit=lambda: MAX_BODY_BYTES)
    app.include_router(health_router(ready_check, serving_check))
    app.include_router(router, dependencies=[LearnerGuard], responses=AUTH_RESPONSES)
    # the demo list holds no personal data, but with auth on it asks for a valid token too
    app.include_router(demo_router, dependencies=[Authenticated], responses=AUTH_RESPONSES)
    install_web_page(app, Path(__file__).resolve().parent / "web")
    return app


app = create_app()
