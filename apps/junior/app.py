"""Junior API: FastAPI app whose lifespan loads OCR, spaCy and the encoder once, in the background.

Run: ``uvicorn apps.junior.app:app`` (DATABASE_URL or PG* set; JUNIOR_* settings). ``/health``
answers at once; ``/ready`` turns true when the database answers and the models are warm;
``/ready/serving`` (the Kubernetes readiness probe) when the models are warm, whatever the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from apps.common.admission import Admission
from apps.common.api_docs import install_offline_docs
from apps.common.auth import AUTH_RESPONSES, Authenticated, install_auth
from apps.common.db import database_ok, install_db_error_handlers, make_engine, wait_for_database
from apps.common.http_guards import BodySizeLimit, install_validation_handler
from apps.common.logs import configure_logging
from apps.common.observability import health_router, install_request_middleware
from apps.common.startup import build_until_ready
from apps.common.web_page import install_web_page
from apps.junior.candidates import dictionary_expressions, dictionary_lemmas
from apps.junior.encoder import load_encoder
from apps.junior.forms import FormIndex
from apps.junior.nlp import FrenchAnalyzer, load_spacy
from apps.junior.ocr import OcrEngine
from apps.junior.pipeline import JuniorPipeline
from apps.junior.routes import router
from apps.junior.sense_choice import build_sense_choice
from apps.junior.senses import DefinitionIndex, SenseChooser, SenseLinker
from apps.junior.settings import JuniorSettings

log = logging.getLogger("vocabulo.junior")
WARM_UP_TEXT = "Le petit lapin se lève tôt et mange une carotte dans le jardin."


def build_pipeline(settings: JuniorSettings, engine: Engine) -> JuniorPipeline:
    """Load every model, embed the dictionary's definitions, then warm each stage up."""
    started = time.perf_counter()
    nlp = load_spacy(settings.spacy_model)
    analyzer = FrenchAnalyzer(nlp)
    encoder = load_encoder(settings, nlp)
    ocr = OcrEngine(settings.onnx_threads, settings.ocr_det_limit_side) if settings.ocr else None
    index = DefinitionIndex(encoder, settings.cache_dir)
    wait_for_database(engine, settings.startup_db_attempts, settings.startup_db_delay_s)
    count = index.build(engine)
    with engine.connect() as conn:
        expressions = dictionary_expressions(conn)
        forms = FormIndex.load(settings.forms_path, dictionary_lemmas(conn))
    analyzer.add_expressions(expressions)
    base = SenseChooser(index, settings.difficulty_weight)
    chooser = base
    if settings.sense_cues:  # issue 11 item 1: example bank, constructions, sense order
        chooser = build_sense_choice(base, settings.cache_dir)
    linker = SenseLinker(engine, encoder, chooser, forms, expressions)
    pipeline = JuniorPipeline(settings, engine, analyzer, linker, ocr)
    if settings.warm_up:
        pipeline.process_text(WARM_UP_TEXT, settings.default_difficulty)
        if ocr is not None:
            ocr.warm_up()
    log.info(
        "junior ready in %.1f s: encoder %s, %d definitions embedded, %d forms, %d expressions",
        time.perf_counter() - started,
        encoder.name,
        count,
        len(forms),
        analyzer.dictionary_expressions,
    )
    return pipeline


Builder = Callable[[JuniorSettings, Engine], JuniorPipeline]


def create_app(
    settings: JuniorSettings | None = None, builder: Builder = build_pipeline
) -> FastAPI:
    """The app; settings are read at start-up when not given; ``builder`` loads the models."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conf = settings or JuniorSettings()
        configure_logging(conf.log_level, conf.log_json)
        engine = make_engine(conf, "vocabulo-junior")
        app.state.settings = conf
        install_auth(app, conf, "junior")
        app.state.engine = engine
        app.state.admission = Admission(conf.max_inflight, conf.queue_timeout_s)
        stop = threading.Event()

        def loaded(pipeline: JuniorPipeline) -> None:
            app.state.pipeline = pipeline

        # keep /health alive and /ready false; retry rather than crash-loop
        pause = max(conf.startup_db_delay_s, 1.0)
        loader = build_until_ready(
            "junior", lambda: builder(conf, engine), loaded, stop, lambda _n: pause
        )
        try:
            yield
        finally:
            stop.set()
            loader.join(timeout=60)
            if app.state.engine is engine:  # clear only what this lifespan created
                app.state.pipeline = None
            engine.dispose()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="Vocabulo Junior API",
        version="1.0.0",
        lifespan=lifespan,
        description="Photo of a French children's book page → words linked to senses and LSF signs.",
    )
    app.state.pipeline = None
    app.state.engine = None

    def ready_check() -> dict[str, bool]:
        engine = app.state.engine
        return {
            "database": engine is not None and database_ok(engine),
            "models": app.state.pipeline is not None,
        }

    def serving_check() -> dict[str, bool]:
        return {"models": app.state.pipeline is not None}

    def setting(name: str) -> int:
        conf = getattr(app.state, "settings", None)
        return int(getattr(conf, name) if conf else JuniorSettings.model_fields[name].default)

    def upload_limit() -> int:
        """Multipart overhead on top of the image limit; checked while the body streams."""
        return setting("max_upload_bytes") + 65536

    app.add_middleware(
        BodySizeLimit,
        limit=upload_limit,
        paths={"/v1/process-text": lambda: setting("max_text_body_bytes")},
    )
    install_validation_handler(app)
    install_request_middleware(app, "junior")
    install_db_error_handlers(app)
    install_offline_docs(app)
    app.include_router(health_router(ready_check, serving_check))
    app.include_router(router, dependencies=[Authenticated], responses={401: AUTH_RESPONSES[401]})
    install_web_page(app, Path(__file__).resolve().parent / "web")
    return app


app = create_app()
