"""Quality targets on the evaluation sets: sense accuracy and OCR character error rate."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from apps.common.settings import normalise_url
from apps.junior.pipeline import JuniorPipeline
from apps.junior.tooling.evaluation import (
    CLEAN_CER_TARGET,
    DEGRADED_CER_TARGET,
    cer,
    evaluate_pages,
    evaluate_senses,
    load_eval_set,
)
from apps.junior.tooling.quality_report import SEED_DUMP, restore_seed_dump


def test_eval_set_is_large_and_labelled() -> None:
    items = load_eval_set()
    assert len(items) >= 100
    assert all(item["sense"].count("#") == 2 and item["word"] in item["sentence"] for item in items)


@pytest.mark.slow
def test_sense_accuracy_meets_target(pipeline: JuniorPipeline, dictionary_url: str) -> None:
    engine = create_engine(normalise_url(dictionary_url))
    report = evaluate_senses(engine, pipeline.analyzer, pipeline.encoder, load_eval_set())
    engine.dispose()
    accuracy, first = report.rate(report.correct), report.rate(report.first_sense)
    assert accuracy >= 0.85, report.errors
    assert accuracy - first >= 0.15
    assert report.rate(report.pos_ok) >= 0.9
    assert report.rate(report.lemma_ok) >= 0.9


@pytest.mark.slow
def test_sense_accuracy_on_the_seed_dump(pipeline: JuniorPipeline, fresh_db: str) -> None:
    """The labels' sense keys also hold on the real seed dump (restored by vocabulo-restore)."""
    assert SEED_DUMP.is_file(), "the committed seed dump is missing: run make dump"
    restore_seed_dump(fresh_db)
    engine = create_engine(normalise_url(fresh_db))
    report = evaluate_senses(engine, pipeline.analyzer, pipeline.encoder, load_eval_set())
    engine.dispose()
    assert report.rate(report.correct) >= 0.85, report.errors
    assert report.rate(report.correct) - report.rate(report.first_sense) >= 0.15


def test_cer_counts_edits() -> None:
    assert cer("le chat", "le chat") == 0.0
    assert cer("le chot", "le chat") == pytest.approx(1 / 7)
    assert cer("le  chat\n", "le chat") == 0.0


@pytest.mark.slow
def test_ocr_character_error_rate_meets_targets(pipeline: JuniorPipeline) -> None:
    assert pipeline.ocr is not None
    reports = evaluate_pages(pipeline.ocr)
    assert len(reports) >= 10
    for report in reports:
        target = CLEAN_CER_TARGET if report.condition == "clean" else DEGRADED_CER_TARGET
        assert report.cer <= target, (report.name, report.condition, report.cer)
