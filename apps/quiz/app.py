"""Quiz API: FastAPI app whose lifespan loads the dictionary and the ONNX model once.

Run: ``uvicorn apps.quiz.app:app`` (DATABASE_URL or PG* set; QUIZ_* settings).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from apps.common.db import database_ok, install_db_error_handlers, make_engine, wait_for_database
from apps.common.http_guards import BodySizeLimit, install_validation_handler
from apps.common.logs import configure_logging
from apps.common.observability import health_router, install_request_middleware
from apps.common.settings import libpq_url
from apps.common.web_page import install_web_page
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


def build_service(settings: QuizSettings) -> QuizService:
    """Wait for the database, load the dictionary and the model, warm the model up."""
    engine = make_engine(settings, "vocabulo-quiz")
    wait_for_database(engine, settings.startup_db_attempts, settings.startup_db_delay_s)
    dictionary = load_dictionary(engine, settings.require_sign)
    model = QuizModel(settings.model_path, settings.onnx_threads)
    model.warm_up()
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
    """The app; settings are read at start-up when not given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conf = settings or QuizSettings()
        configure_logging(conf.log_level, conf.log_json)
        app.state.settings = conf
        svc = await run_in_threadpool(build_service, conf)
        app.state.quiz = svc
        gc.collect()
        gc.freeze()  # the dictionary and model stay for life: keep them out of every GC pass
        try:
            yield
        finally:
            svc.engine.dispose()
            svc.reads.close()
            if app.state.quiz is svc:
                app.state.quiz = None

    app = FastAPI(
        title="Vocabulo Quiz API",
        version="1.0.0",
        lifespan=lifespan,
        description="Adaptive word recommendations for the Vocabulo Quiz app.",
    )
    app.state.quiz = None

    def ready_check() -> dict[str, bool]:
        svc = app.state.quiz
        if svc is None:
            return {"database": False, "model": False, "dictionary": False}
        return {
            "database": database_ok(svc.engine),
            "model": svc.model is not None,
            "dictionary": len(svc.dictionary) > 0,
        }

    install_request_middleware(app, "quiz")
    install_db_error_handlers(app)
    install_validation_handler(app, {"user_id": (400, INVALID_USER)})
    app.add_middleware(BodySizeLimit, limit=lambda: MAX_BODY_BYTES)
    app.include_router(health_router(ready_check))
    app.include_router(router)
    app.include_router(demo_router)
    install_web_page(app, Path(__file__).resolve().parent / "web")
    return app


app = create_app()
