"""Database down → 503 and /ready false; the service recovers without a restart."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from apps.common.db import DB_UNAVAILABLE
from apps.junior.app import create_app
from apps.junior.pipeline import JuniorPipeline
from apps.junior.senses import DefinitionIndex, SenseChooser, SenseLinker
from apps.junior.settings import JuniorSettings
from apps.junior.tooling.dev_dictionary import build_dictionary
from scripts.pgserver import LocalPostgres


@pytest.fixture
def private_server(private_postgres: LocalPostgres) -> LocalPostgres:
    """The shared stoppable server (tests/conftest.py), holding the small dictionary."""
    build_dictionary(private_postgres.url)
    return private_postgres


def test_database_down_gives_503_and_not_ready_then_recovers(
    private_server: LocalPostgres,
    pipeline: JuniorPipeline,
    junior_settings: JuniorSettings,
    until_ready,
) -> None:
    def reuse_models(settings: JuniorSettings, engine: Engine) -> JuniorPipeline:
        """Same loaded models as the session's app, on the private server's database."""
        index = DefinitionIndex(pipeline.encoder)
        index.build(engine)
        linker = SenseLinker(
            engine,
            pipeline.encoder,
            SenseChooser(index),
            pipeline.linker.forms,
            sorted(pipeline.linker.expressions),
        )
        return JuniorPipeline(settings, engine, pipeline.analyzer, linker, pipeline.ocr)

    settings = junior_settings.model_copy(
        update={
            "database_url": private_server.url,
            "db_connect_timeout_s": 1,
            "db_pool_timeout_s": 1,
        }
    )
    body = {"text": "Le loup mange une pomme.", "target_difficulty": 1}
    with TestClient(create_app(settings, builder=reuse_models)) as client:
        until_ready(client, 60)
        assert client.post("/v1/process-text", json=body).status_code == 200

        private_server.stop("immediate")
        res = client.post("/v1/process-text", json=body)
        assert res.status_code == 503
        assert res.json() == {"detail": DB_UNAVAILABLE}
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": False, "models": True}

        private_server.start()
        assert client.post("/v1/process-text", json=body).status_code == 200
        assert client.get("/ready").status_code == 200
