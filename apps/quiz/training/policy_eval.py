"""``make eval-quiz-policy``: which quiz policy leaves a learner knowing the most words?

Simulated learners take one 10-word quiz a day (on the days their calendar allows) for 90
days in two worlds (our simulator; an FSRS-6 memory world), under each policy of
``apps.quiz.training.policies``. Writes docs/models/quiz-policy.json, its plot and
docs/models/quiz-policy.md. ``--quick``: 100 learners; default 1,000. Fixed seeds.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apps.quiz.dictionary import Dictionary
from apps.quiz.model import DEFAULT_MODEL_PATH, QuizModel
from apps.quiz.service import QuizService
from apps.quiz.simulator import feeling_of, word_difficulty
from apps.quiz.training.policies import (
    EPOCH,
    AppHistory,
    Earlier,
    FsrsScheduler,
    Ours,
    OursWithFsrs,
    Policy,
    RandomAtLevel,
    when_of,
)
from apps.quiz.training.worlds import RETAINED_R, WORLDS, Calendar, Traits, world_learner

REPO = Path(__file__).resolve().parents[3]
DEFAULT_JSON = REPO / "docs" / "models" / "quiz-policy.json"
DEFAULT_CARD = REPO / "docs" / "models" / "quiz.md"
BAND = (0.70, 0.85)
FSRS_GRID = (0.70, 0.80, 0.85, 0.90, 0.95)
PERSONAS = {"natural": None, "trop-dur": "Trop dur", "trop-facile": "Trop facile"}


@dataclass(frozen=True)
class Setting:
    """What to simulate."""

    learners: int
    days: int
    seed: int
    fsrs_grid: tuple[float, ...] = FSRS_GRID


@dataclass
class LearnerRun:
    """One learner under one policy in one world."""

    answers: int
    correct: int
    new_words: int
    retained: np.ndarray  # words ever shown with R ≥ 0.9, at the start of days 1..days
    retained_basique: np.ndarray
    learned: np.ndarray  # retained among the words not known at first show (P(correct) < 0.9)
    latency_ms: list[float]


def build_service(dictionary: Dictionary, model_path: Path, seed: int) -> QuizService:
    """The service as the app builds it, minus the database (the eval never reads it)."""
    model = QuizModel(model_path)
    return QuizService(None, None, dictionary, model, seed=seed)  # type: ignore[arg-type]


def make_policy(name: str, svc: QuizService) -> Policy:
    """A policy by name: ours, earlier, random, fsrs@R, ours+fsrs@R."""
    if name == "ours":
        return Ours(svc)
    if name.startswith("oracle@"):  # oracle@R/aim (policy_bound: reads the world's memory)
        from apps.quiz.training.policy_bound import Oracle

        review_r, aim = name.removeprefix("oracle@").split("/")
        return Oracle(svc.dictionary.recommendable, float(review_r), float(aim))
    if name == "earlier":
        return Earlier(svc)
    if name == "random":
        return RandomAtLevel(svc)
    if name.startswith("fsrs@"):
        return FsrsScheduler(svc, float(name.split("@")[1]))
    if name.startswith("ours+fsrs@"):
        return OursWithFsrs(svc, float(name.split("@")[1]))
    raise ValueError(f"unknown policy {name!r}")


def run_learner(
    world: str,
    policy: Policy,
    svc: QuizService,
    difficulty: np.ndarray,
    learner_no: int,
    setting: Setting,
    persona: str | None,
) -> LearnerRun:
    """Play ``setting.days`` days of one learner (same traits and calendar for every policy)."""
    rng = np.random.default_rng([setting.seed, learner_no])
    traits = Traits.draw(rng)
    calendar = Calendar.draw(rng, setting.days)
    answers_rng = np.random.default_rng([setting.seed, learner_no, 1])
    learner = world_learner(world, traits, difficulty)
    words = svc.dictionary.words
    app = AppHistory(len(words))
    policy.reset(setting.seed * 1_000_003 + learner_no)
    policy.bind(learner)
    shown = np.zeros(len(words), bool)
    unknown = np.zeros(len(words), bool)  # P(correct) < 0.9 when first shown
    retained = np.zeros(setting.days)
    retained_b = np.zeros(setting.days)
    learned = np.zeros(setting.days)
    latency: list[float] = []
    answers = correct = 0
    quiz_hour = dict(zip(calendar.days.tolist(), calendar.hours.tolist(), strict=True))
    for day in range(setting.days):
        if day in quiz_hour:
            hour = quiz_hour[day]
            when = when_of(EPOCH, day, hour)
            started = time.perf_counter()
            idx = policy.choose(app, when)
            latency.append((time.perf_counter() - started) * 1000)
            t = day + hour / 24
            p = learner.p_correct(idx, t, hour, when.weekday())
            right = answers_rng.random(idx.size) < p
            feelings: list[str | None] = (
                feeling_of(answers_rng, p) if persona is None else [persona] * idx.size
            )
            learner.answer(idx, right, t)
            app.record(idx, right, when, feelings)
            policy.observe(idx, right, when)
            first = ~shown[idx]
            unknown[idx[first]] = p[first] < RETAINED_R
            shown[idx] = True
            answers += idx.size
            correct += int(right.sum())
        pos = np.flatnonzero(shown)
        ok = learner.retrievability(pos, day + 1.0) >= RETAINED_R
        retained[day] = ok.sum()
        retained_b[day] = (ok & words.is_basique[pos]).sum()
        learned[day] = (ok & unknown[pos]).sum()
    return LearnerRun(answers, correct, int(shown.sum()), retained, retained_b, learned, latency)


_CTX: dict[str, object] = {}


def _init_worker(dictionary: Dictionary, model_path: Path, seed: int) -> None:
    svc = build_service(dictionary, model_path, seed)
    _CTX["svc"] = svc
    _CTX["difficulty"] = word_difficulty(dictionary.words)


def _run_chunk(
    args: tuple[str, str, str, list[int], Setting],
) -> tuple[str, str, str, list[LearnerRun]]:
    world, name, persona, learners, setting = args
    svc = _CTX["svc"]
    assert isinstance(svc, QuizService)
    difficulty = _CTX["difficulty"]
    assert isinstance(difficulty, np.ndarray)
    policy = make_policy(name, svc)
    runs = [
        run_learner(world, policy, svc, difficulty, no, setting, PERSONAS[persona])
        for no in learners
    ]
    return world, name, persona, runs


def summarise_runs(runs: Sequence[LearnerRun], days: int) -> dict[str, object]:
    """The metrics of one policy in one world (means over learners unless said otherwise)."""
    success = np.array([r.correct / r.answers for r in runs if r.answers])
    curve = np.mean([r.retained for r in runs], axis=0)
    curve_b = np.mean([r.retained_basique for r in runs], axis=0)
    curve_l = np.mean([r.learned for r in runs], axis=0)
    lat = np.concatenate([np.asarray(r.latency_ms) for r in runs])
    weeks = days / 7.0

    def at(c: np.ndarray, d: int) -> float:
        return round(float(c[min(d, days) - 1]), 2)

    return {
        "retained_90": at(curve, 90),
        "retained_30": at(curve, 30),
        "retained_basique_90": at(curve_b, 90),
        "retained_basique_30": at(curve_b, 30),
        "learned_90": at(curve_l, 90),
        "learned_30": at(curve_l, 30),
        "success_rate": round(float(np.median(success)), 4),
        "success_rate_p25": round(float(np.percentile(success, 25)), 4),
        "success_rate_p75": round(float(np.percentile(success, 75)), 4),
        "success_in_band": round(float(np.mean((success >= BAND[0]) & (success <= BAND[1]))), 4),
        "new_per_week": round(float(np.mean([r.new_words for r in runs])) / weeks, 2),
        "latency_ms_p50": round(float(np.median(lat)), 3) if lat.size else 0.0,
        "latency_ms_p95": round(float(np.percentile(lat, 95)), 3) if lat.size else 0.0,
        "learners": len(runs),
        "retained_by_day": [round(float(v), 2) for v in curve],
    }


def run_policies(
    dictionary: Dictionary,
    setting: Setting,
    jobs_list: Sequence[tuple[str, str, str]],
    model_path: Path = DEFAULT_MODEL_PATH,
    jobs: int = 1,
) -> dict[tuple[str, str, str], dict[str, object]]:
    """Metrics of each (world, policy name, persona) of ``jobs_list`` over the setting's
    learners, in ``jobs`` processes (each learner's seeds fix its run, whatever the split)."""
    chunks = max(1, min(setting.learners, 4 * jobs))
    groups = [list(range(setting.learners))[k::chunks] for k in range(chunks)]
    tasks = [(w, n, p, g, setting) for w, n, p in jobs_list for g in groups if g]
    if jobs > 1:
        with mp.get_context("fork").Pool(
            jobs, _init_worker, (dictionary, model_path, setting.seed)
        ) as pool:
            results = pool.map(_run_chunk, tasks)
    else:
        _init_worker(dictionary, model_path, setting.seed)
        results = [_run_chunk(t) for t in tasks]
    merged: dict[tuple[str, str, str], list[LearnerRun]] = {}
    for w, n, p, runs in results:
        merged.setdefault((w, n, p), []).extend(runs)
    return {k: summarise_runs(v, setting.days) for k, v in merged.items()}


def evaluate(
    dictionary: Dictionary,
    setting: Setting,
    model_path: Path = DEFAULT_MODEL_PATH,
    jobs: int = 1,
    worlds: Sequence[str] = WORLDS,
) -> dict[str, dict[str, dict[str, object]]]:
    """{world: {policy: metrics}}; FSRS's desired retention is tuned per world on retained_90,
    then ``fsrs`` and ``ours+fsrs`` use the best; ``ours/trop-dur`` and ``ours/trop-facile``
    are the served policy with learners who always answer 'Trop dur' / 'Trop facile'."""

    def run(jobs_list: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], dict]:
        return run_policies(dictionary, setting, jobs_list, model_path, jobs)

    first = [(w, n, "natural") for w in worlds for n in ("ours", "earlier", "random")]
    first += [(w, f"fsrs@{r:.2f}", "natural") for w in worlds for r in setting.fsrs_grid]
    first += [(w, "ours", p) for w in worlds for p in ("trop-dur", "trop-facile")]
    done = run(first)
    out: dict[str, dict[str, dict[str, object]]] = {w: {} for w in worlds}
    for (w, n, p), m in done.items():
        out[w][n if p == "natural" else f"{n}/{p}"] = m
    best = {
        w: max(setting.fsrs_grid, key=lambda r: float(out[w][f"fsrs@{r:.2f}"]["retained_90"]))  # type: ignore[arg-type]
        for w in worlds
    }
    second = run([(w, f"ours+fsrs@{best[w]:.2f}", "natural") for w in worlds])
    for (w, _n, _), m in second.items():
        out[w]["ours+fsrs"] = {**m, "desired_retention": best[w]}
    for w in worlds:
        out[w]["fsrs"] = {**out[w][f"fsrs@{best[w]:.2f}"], "desired_retention": best[w]}
        in_band = [
            r
            for r in setting.fsrs_grid
            if BAND[0] <= float(out[w][f"fsrs@{r:.2f}"]["success_rate"]) <= BAND[1]  # type: ignore[arg-type]
        ]
        if in_band:  # the fair comparison: FSRS held to the same comfortable band as ours
            r = max(in_band, key=lambda r: float(out[w][f"fsrs@{r:.2f}"]["retained_90"]))  # type: ignore[arg-type]
            out[w]["fsrs-in-band"] = {**out[w][f"fsrs@{r:.2f}"], "desired_retention": r}
    return out


def main(argv: list[str] | None = None) -> int:
    """Load the dictionary from the dump, evaluate, write JSON + plot + report."""
    from apps.quiz.training.policy_report import load_dump_dictionary, write_outputs

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100 learners (default 1,000)")
    ap.add_argument("--learners", type=int)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--dump", type=Path, default=REPO / "data" / "lsf_app_dump.sql.gz")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--out", type=Path, default=DEFAULT_JSON)
    args = ap.parse_args(argv)
    learners = args.learners or (100 if args.quick else 1000)
    setting = Setting(learners, args.days, args.seed)
    started = time.perf_counter()
    dictionary = load_dump_dictionary(args.dump)
    print(f"dictionary: {len(dictionary):,} senses from {args.dump.name}", flush=True)
    result = evaluate(dictionary, setting, args.model, args.jobs)
    elapsed = time.perf_counter() - started
    facts = {
        "command": "make eval-quiz-policy" + (" QUICK=1" if args.quick else ""),
        "learners": learners,
        "days": args.days,
        "seed": args.seed,
        "senses": len(dictionary),
        "recommendable": int(dictionary.recommendable.sum()),
        "children_freq": dictionary.words.has_child_freq,
        "dump": args.dump.name,
        "seconds": round(elapsed),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {args.jobs} jobs",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    write_outputs(args.out, result, facts, card=None if args.quick else DEFAULT_CARD)
    for w, pols in result.items():
        for n in (
            "ours",
            "fsrs",
            "ours+fsrs",
            "earlier",
            "random",
            "ours/trop-dur",
            "ours/trop-facile",
        ):
            m = pols[n]
            print(
                f"{w:9} {n:17} retained90 {m['retained_90']:7.1f} retained30 {m['retained_30']:6.1f}"
                f" success {m['success_rate']:.3f} new/wk {m['new_per_week']:5.1f}"
                f" {m['latency_ms_p50']:.2f} ms"
            )
    print(f"{elapsed:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
