"""Inputs and outputs of the policy evaluation: the dump's dictionary, JSON, plot, report."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from apps.quiz.dictionary import Dictionary, load_dictionary

REPO = Path(__file__).resolve().parents[3]
MAIN_POLICIES = ("ours", "fsrs", "ours+fsrs", "earlier", "random")
CARD_START, CARD_END = "<!-- policy-eval:start -->", "<!-- policy-eval:end -->"


def load_dump_dictionary(dump: Path) -> Dictionary:
    """Restore ``dump`` into a private PostgreSQL and load the dictionary as the app does."""
    sys.path.insert(0, str(REPO))
    from scripts.pgserver import LocalPostgres, restore_dump

    workdir = Path(tempfile.mkdtemp(prefix="eval-quiz-policy-"))
    server = LocalPostgres(workdir / "pg")
    server.start()
    try:
        url = restore_dump(server, dump)
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        try:
            return load_dictionary(engine)
        finally:
            engine.dispose()
    finally:
        server.stop("fast")
        shutil.rmtree(workdir, ignore_errors=True)


def plot(result: dict[str, dict[str, dict[str, Any]]], path: Path) -> None:
    """Words retained over days, one line per policy, one panel per world (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(result), figsize=(6 * len(result), 4.2), sharey=False)
    for ax, (world, pols) in zip(
        list(axes) if len(result) > 1 else [axes], result.items(), strict=True
    ):
        for name in MAIN_POLICIES:
            curve = pols[name]["retained_by_day"]
            label = name
            if "desired_retention" in pols[name]:
                label += f" (DR {pols[name]['desired_retention']:.2f})"
            ax.plot(range(1, len(curve) + 1), curve, label=label)
        ax.set_title(f"world: {world}")
        ax.set_xlabel("day")
        ax.set_ylabel("words retained (R ≥ 0.9)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _row(name: str, m: dict[str, Any]) -> str:
    dr = f" (DR {m['desired_retention']:.2f})" if "desired_retention" in m else ""
    return (
        f"| {name}{dr} | {m['retained_90']:.1f} | {m.get('learned_90', float('nan')):.1f} | "
        f"{m['retained_30']:.1f} | {m['retained_basique_90']:.1f} | {m['success_rate']:.1%} "
        f"({m['success_rate_p25']:.0%}–{m['success_rate_p75']:.0%}) | {m['success_in_band']:.0%} | "
        f"{m['new_per_week']:.1f} | {m['latency_ms_p50']:.2f} / {m['latency_ms_p95']:.2f} |"
    )


def verdict_lines(result: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One line per world: the served policy against tuned FSRS (and FSRS held to the band)."""
    verdict = []
    for world, pols in result.items():
        ours, fsrs = pols["ours"], pols["fsrs"]
        band = 0.70 <= ours["success_rate"] <= 0.85
        fair = pols.get("fsrs-in-band")
        fair_text = (
            f"FSRS held to the 70–85 % band (DR {fair['desired_retention']:.2f}): "
            f"{fair['retained_90']:.1f} → {'✅' if ours['retained_90'] >= fair['retained_90'] else '❌'}"
            if fair
            else "no FSRS desired retention of the grid keeps its median success in 70–85 %"
        )
        verdict.append(
            f"- {world}: ours {ours['retained_90']:.1f} vs tuned FSRS {fsrs['retained_90']:.1f} "
            f"words at day 90 (its median success {fsrs['success_rate']:.1%}) → "
            f"{'✅' if ours['retained_90'] >= fsrs['retained_90'] else '❌'}; {fair_text}; "
            f"ours' median success {ours['success_rate']:.1%} → "
            f"{'✅ inside' if band else '❌ outside'} 70–85 %; words learned (not known at first "
            f"show): ours {ours['learned_90']:.1f}, FSRS {fsrs['learned_90']:.1f}."
        )
    return verdict


def report(result: dict[str, dict[str, dict[str, Any]]], facts: dict[str, Any], png: str) -> str:
    """The markdown report."""
    tables = []
    for world, pols in result.items():
        order = [*MAIN_POLICIES, *(["fsrs-in-band"] if "fsrs-in-band" in pols else [])]
        order += sorted(n for n in pols if n.startswith(("fsrs@", "ours/")))
        rows = "\n".join(_row(n, pols[n]) for n in order)
        tables.append(
            f"### World: {world}\n\n| policy | retained day 90 | learned day 90 | day 30 | "
            "basique day 90 | success median (IQR) | learners in 70–85 % | new words / week | "
            f"ms p50 / p95 |\n|---|---|---|---|---|---|---|---|---|\n{rows}\n"
        )
    fb = []
    for world, pols in result.items():
        base = pols["ours"]["success_rate"]
        for persona, asked in (("trop-dur", "easier"), ("trop-facile", "harder")):
            m = pols[f"ours/{persona}"]
            moved = m["success_rate"] - base
            ok = moved > 0 if asked == "easier" else moved < 0
            fb.append(
                f"| {world} | always '{'Trop dur' if persona == 'trop-dur' else 'Trop facile'}' "
                f"(asks {asked}) | {base:.1%} → {m['success_rate']:.1%} ({moved:+.1%}) | "
                f"{'✅' if ok else '❌'} |"
            )
    verdict = verdict_lines(result)
    nl = "\n"
    return f"""# Quiz policy evaluation: words retained after 30 and 90 days

Generated by `{facts["command"]}` ({facts["when"]}, {facts["seconds"]} s, {facts["machine"]});
edit `apps/quiz/training/policy_report.py`, not this file. Raw figures:
[`quiz-policy.json`](quiz-policy.json).

Setting: {facts["learners"]:,} simulated learners per policy and world, {facts["days"]} days, seed
{facts["seed"]}; the dictionary of `{facts["dump"]}` ({facts["senses"]:,} senses,
{facts["recommendable"]:,} recommendable; children's frequencies: {"yes" if facts["children_freq"] else "no (NULL columns: adult frequency stands in)"}).
Each learner takes at most one 10-word quiz a day: 0–30 % of days skipped at random and,
for half the learners, a 7–14-day holiday. Every policy meets the same learners (same traits,
calendar and random answers stream).

**Verdict (served policy `ours` vs the state of the art, tuned FSRS):**
{nl.join(verdict)}

Reading it: "retained" counts every shown word whose recall is ≥ 0.9, so it rewards easy words —
in the simulator a word the learner already knows counts as soon as it is shown, and FSRS's
"new words by frequency" are the easiest ones (its median success is far above the 70–85 %
band). The served policy is held to that band; "fsrs-in-band" is FSRS with the best desired
retention that keeps its own median success in the band (when one of the grid does), the
like-for-like comparison. "ours/trop-dur" shows what the same policy retains when the learner
asks for easier quizzes. Every wrong answer the band asks for (15–30 % of them) is a quiz slot
that keeps no word, so a policy inside the band pays for it in words retained; "learned" (the
retained words that were not already known when first shown) separates teaching from showing
known words. How much the band costs whatever the policy: an oracle that reads the learners'
true memory, on the same learners, with and without the band (`make eval-quiz-bound`,
[quiz-policy-bound.md](quiz-policy-bound.md)).

![retention over days](quiz-policy.png)

## Worlds
- **simulator** — the training simulator (`apps/quiz/simulator.py`, see the model card):
  P(correct) = sigmoid(base + θ − word difficulty + decaying memory − evening penalty …).
  A word is retained when its P(correct) at noon on a weekday is ≥ 0.9.
- **fsrs** — each word's memory follows FSRS-6 with py-fsrs 6.3.2's default parameters: a
  right answer is rated Good, a wrong one Again; R = (1 + F·t/(k·S))^(−decay) with a
  per-learner stability scale k ~ lognormal(0, 0.4); a seen word is right with probability R;
  a new word with the learner's prior knowledge sigmoid(θ − word difficulty); the initial
  FSRS difficulty is D0(rating) + 1.5 × word difficulty (dictionary level, children's and
  adult frequency, syllables, `basique`). Retained: R ≥ 0.9. Our model was not trained here.

## Policies
- **ours** — the service's recommender (`QuizService.align` + `QuizService.rank`, the code
  of `POST /get_recommendations`), served ONNX model, in-memory dictionary; the simulated
  database history (times seen/right, last seen, latest feeling per word, every answer with
  its date) is what the API reads: FSRS-6 memory replayed from the answers times the reviews,
  the model's P(correct) and a target-success controller choose the new words.
- **fsrs** — py-fsrs scheduler: due reviews first (least retrievable first), then new words
  by children's frequency; desired retention (DR) tuned over {", ".join(f"{r:.2f}" for r in sorted({float(n.split("@")[1]) for n in result[next(iter(result))] if n.startswith("fsrs@")}))} for the
  most words retained at day 90, per world (grid rows below the main ones).
- **ours+fsrs** — FSRS (same tuned DR) schedules the reviews; ours picks the new words.
- **earlier** — the earlier service's scoring re-implemented from its code's description
  (basique bonus, 30–50 % basique quota, feedback ignored), with our model's P(correct).
- **random** — random recommendable words of the niv_diff matching the learner's level.

Metrics (means over learners unless said): retained = words ever shown whose
retrievability is ≥ 0.9 the morning of day 30 / 90 (and the `basique` ones among them);
learned = the retained words at day 90 that the learner did not already know when first shown
(P(correct) < 0.9 at that moment, the world's own probability): what the quizzes taught;
success = each learner's share of right answers over the 90 days (median and IQR over
learners; the comfortable band is 70–85 %); new words per week; time of one policy call
(choose today's words) in ms — ours includes aligning the history with the dictionary.

{nl.join(tables)}
## The learner's feelings move the level
Learners who answer every word of every quiz with the same feeling, served by `ours`:

| world | learner | median success (natural feelings → this learner) | moved as asked |
|---|---|---|---|
{nl.join(fb)}

## Reproduce
`{facts["command"]}` (quick: `make eval-quiz-policy QUICK=1`, 100 learners). The dump is
restored into a private PostgreSQL and read with the app's own dictionary query.
"""


def card_section(result: dict[str, dict[str, dict[str, Any]]], facts: dict[str, Any]) -> str:
    """The model card's summary of a full policy evaluation."""
    rows = []
    for world, pols in result.items():
        for name in (*MAIN_POLICIES, "fsrs-in-band", "ours/trop-dur", "ours/trop-facile"):
            if name in pols:
                rows.append(f"| {world} " + _row(name, pols[name]))
    table = "\n".join(rows)
    verdict = "\n".join(verdict_lines(result))
    return f"""## Policy evaluation (words retained, `{facts["command"]}`)
{facts["learners"]:,} simulated learners × {facts["days"]} days per policy and world, seed {facts["seed"]},
`{facts["dump"]}` ({facts["senses"]:,} senses), {facts["when"]}. Details, plot and method:
[quiz-policy.md](quiz-policy.md). The served policy (`ours`): due reviews timed by FSRS-6 memory
replayed from the learner's answers, new words chosen by this model's P(correct) so each quiz
lands on a target success (README, "Policy").

{verdict}

| world | policy | retained day 90 | learned day 90 | day 30 | basique day 90 | success median (IQR) | learners in 70–85 % | new words / week | ms p50 / p95 |
|---|---|---|---|---|---|---|---|---|---|
{table}
"""


def update_card(card: Path, section: str) -> None:
    """Replace (or append) the policy-evaluation section of the model card."""
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    block = f"{CARD_START}\n{section}{CARD_END}\n"
    if CARD_START in text and CARD_END in text:
        head, rest = text.split(CARD_START, 1)
        text = head + block + rest.split(CARD_END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    card.write_text(text, encoding="utf-8")


def preserved_section(card: Path) -> str:
    """The card's current policy-evaluation block (kept when ``make train-quiz`` rewrites it)."""
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    if CARD_START not in text or CARD_END not in text:
        return ""
    return CARD_START + text.split(CARD_START, 1)[1].split(CARD_END, 1)[0] + CARD_END + "\n"


def write_outputs(
    json_path: Path, result: dict[str, Any], facts: dict[str, Any], card: Path | None = None
) -> None:
    """quiz-policy.json, quiz-policy.png and quiz-policy.md; the card's section on full runs."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    png = json_path.with_suffix(".png")
    plot(result, png)
    json_path.with_suffix(".md").write_text(report(result, facts, png.name), encoding="utf-8")
    if card is not None:
        update_card(card, card_section(result, facts))
