"""``make eval-quiz-bound``: what could ANY policy retain, with and without the success band?

An oracle scheduler reads the world's true memory — each seen word's exact retrievability,
each unseen word's exact P(correct) and difficulty — which no app can: it reviews the words
whose true recall fell below ``review_r`` (least retrievable first), brings in the easiest
new words (lowest world difficulty: fewest reviews to keep), and, when ``aim`` < 1, adds the
fewest "throwaway" words (the lowest P(correct), never reviewed) that keep the learner's
running success at or below ``aim``. One wrong answer per slot is the cheapest way to lower
success, so with the band it bounds what review timing and word choice can achieve.
Same learners, calendars and seeds as ``make eval-quiz-policy``; prints a table and writes
docs/models/quiz-policy-bound.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from apps.quiz.training import policy_eval as pe
from apps.quiz.training.policies import EPOCH, QUIZ_SIZE, AppHistory, Policy
from apps.quiz.training.worlds import WORLDS, FsrsLearner, SimulatorLearner

DEFAULT_OUT = pe.REPO / "docs" / "models" / "quiz-policy-bound.json"
VARIANTS = ("oracle@0.90/1.00", "oracle@0.90/0.85", "oracle@0.88/0.85", "oracle@0.92/0.85")


class Oracle(Policy):
    """Reviews by true recall, easiest new words first, throwaways to hold success ≤ ``aim``."""

    def __init__(self, recommendable: np.ndarray, review_r: float, aim: float) -> None:
        self.name = f"oracle@{review_r:.2f}/{aim:.2f}"
        self.pool = np.flatnonzero(recommendable)
        self.review_r, self.aim = review_r, aim
        self.world: FsrsLearner | SimulatorLearner | None = None

    def bind(self, world: FsrsLearner | SimulatorLearner) -> None:
        self.world = world
        self.easiest = self.pool[np.argsort(world.difficulty[self.pool], kind="stable")]
        self.hardest = self.easiest[::-1]

    def reset(self, seed: int) -> None:
        super().reset(seed)
        self.thrown: set[int] = set()
        self.right = self.answered = 0

    def choose(self, app: AppHistory, when: datetime) -> np.ndarray:
        assert self.world is not None, "bind() the world learner first"
        t = (when - EPOCH).total_seconds() / 86400.0
        seen = np.flatnonzero(app.times_seen > 0)
        seen = seen[~np.isin(seen, list(self.thrown))]
        r = self.world.retrievability(seen, t)
        low = r < self.review_r
        first = np.argsort(r[low], kind="stable")[:QUIZ_SIZE]  # least retrievable first
        due = seen[low][first]
        unseen = self.easiest[app.times_seen[self.easiest] == 0]
        new = unseen[: QUIZ_SIZE - due.size]
        picks = np.concatenate([due, new])
        p = np.concatenate([r[low][first], self.world.p_correct(new, t, when.hour, when.weekday())])
        allowed = self.aim * (self.answered + QUIZ_SIZE) - self.right  # right answers allowed
        keep = picks.size  # drop the likeliest new words, then the likeliest reviews
        while keep > 0 and float(p[:keep].sum()) > allowed:
            keep -= 1
        hard = self.hardest[app.times_seen[self.hardest] == 0][: picks.size - keep]
        self.thrown.update(int(i) for i in hard)
        return np.concatenate([picks[:keep], hard]).astype(np.int64)

    def observe(self, idx: np.ndarray, correct: np.ndarray, when: datetime) -> None:
        self.right += int(np.sum(correct))
        self.answered += idx.size


def main(argv: list[str] | None = None) -> int:
    """Oracle variants and FSRS@0.90 on the policy evaluation's learners; table + JSON."""
    from apps.quiz.training.policy_report import load_dump_dictionary

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--learners", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--dump", type=Path, default=pe.REPO / "data" / "lsf_app_dump.sql.gz")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    dictionary = load_dump_dictionary(args.dump)
    setting = pe.Setting(args.learners, 90, args.seed)
    names = ("fsrs@0.70", "fsrs@0.90", *VARIANTS)  # FSRS tuned: 0.70 simulator, 0.90 fsrs
    jobs_list = [(w, n, "natural") for w in WORLDS for n in names]
    metrics = pe.run_policies(dictionary, setting, jobs_list, jobs=args.jobs)
    out: dict[str, dict[str, dict[str, float]]] = {w: {} for w in WORLDS}
    keys = ("retained_90", "retained_30", "success_rate", "new_per_week")
    for (w, n, _p), m in sorted(metrics.items()):
        out[w][n] = {k: float(m[k]) for k in keys}  # type: ignore[arg-type]
        print(f"{w:9} {n:18} " + "  ".join(f"{k} {out[w][n][k]:7.2f}" for k in keys))
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    facts = f"`make eval-quiz-bound`, {args.learners:,} learners, seed {args.seed}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    args.out.with_suffix(".md").write_text(report(out, facts), encoding="utf-8")
    return 0


def report(out: dict[str, dict[str, dict[str, float]]], facts: str) -> str:
    """The bound's markdown: one table per world, FSRS@0.90 first."""
    tables = []
    for world, pols in out.items():
        rows = "\n".join(
            f"| {name} | {m['retained_90']:.1f} | {m['retained_30']:.1f} | "
            f"{m['success_rate']:.1%} | {m['new_per_week']:.1f} |"
            for name, m in sorted(pols.items(), key=lambda nm: not nm[0].startswith("fsrs"))
        )
        tables.append(
            f"### World: {world}\n\n| policy | retained day 90 | day 30 | success median | "
            f"new words / week |\n|---|---|---|---|---|\n{rows}\n"
        )
    nl = "\n"
    return f"""# What any policy could retain: an oracle bound

Generated by {facts}; edit `apps/quiz/training/policy_bound.py`, not this file.
Raw figures: [`quiz-policy-bound.json`](quiz-policy-bound.json). Same learners, calendars and
answer streams as [the policy evaluation](quiz-policy.md).

`oracle@R/aim` reads the world's true memory, which no app can: it reviews every word whose
true recall fell below R (least retrievable first), then brings the easiest unseen words
(lowest world difficulty: the fewest reviews to keep them), and when aim < 1 replaces the
likeliest-right items by the fewest throwaway words (the lowest P(correct), never shown
again) that hold the learner's running success at or below aim. A slot spent on a throwaway
gives exactly one wrong answer, the cheapest a wrong answer can be, so `oracle@0.90/0.85`
shows what timing and word choice can reach while the quiz stays inside the 70–85 % band.
It is a strong scheduler, not a proof of optimality.

{nl.join(tables)}"""


if __name__ == "__main__":
    raise SystemExit(main())
