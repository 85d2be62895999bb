"""The model card (docs/models/quiz.md), written by ``make train-quiz`` from the measured figures."""

from __future__ import annotations

from pathlib import Path

from apps.quiz.features import FEATURE_NAMES
from apps.quiz.simulator import SimParams
from apps.quiz.training.evaluate import Evaluation
from apps.quiz.training.policy_report import preserved_section

FEATURE_TEXT = {
    "learner_level": "level 1–5 from the number of mastered words (thresholds 15/50/120/250)",
    "learner_accuracy": "share of right answers over all answers, Laplace-smoothed (0.5 when new)",
    "basique_mastery": "share of the `basique` category's words mastered",
    "log_words_seen": "log(1 + distinct words seen)",
    "times_seen": "times this word was asked to this learner",
    "times_correct": "times it was answered right",
    "days_since_seen": "days since last asked (365 = never, also the cap)",
    "log_freqfilms": "log(1 + frequency in films, per million)",
    "log_freqlivres": "log(1 + frequency in books, per million)",
    "nbr_syll": "syllables",
    "niv_diff": "difficulty level 1 easy, 2 medium, 3 hard",
    "is_basique": "1 when the word is in the `basique` category",
    "log_child_freq": "log(1 + Manulex frequency in CP–CM2 readers, per million; 0 = not in"
    " Manulex; the book frequency when the dictionary has no Manulex column, as in old dumps)",
    "log_early_freq": "log(1 + Manulex frequency for early readers, mean of CP and CE1; same"
    " fallbacks)",
    "hour": "hour of the quiz (0–23, server time)",
    "weekday": "day of the week (0 Monday)",
}


def write_card(path: Path, ev: Evaluation, **facts: object) -> None:
    """Write the model card with the figures of this training run."""
    p = SimParams()
    rows = "\n".join(f"| `{n}` | {FEATURE_TEXT[n]} |" for n in FEATURE_NAMES)
    calib = "\n".join(
        f"| {lo:.1f}–{lo + 0.1:.1f} | {mp:.3f} | {obs:.3f} | {n:,} |"
        for lo, mp, obs, n in ev.calibration
    )
    text = f"""# Model card: Vocabulo quiz model

Predicts the probability that a learner answers a word's quiz question right. Served by
onnxruntime (`apps/quiz/model.py`); written by `make train-quiz` (this file is generated:
edit `apps/quiz/training/card.py`, not this file).

| | |
|---|---|
| version | `{facts["version"]}` |
| file | `apps/quiz/model/quiz_model.onnx` ({facts["size"]:,} bytes), sha256 `{facts["sha256"]}` |
| algorithm | scikit-learn Pipeline(StandardScaler, XGBClassifier {facts["trees"]} trees, depth {facts["depth"]}), xgboost-cpu 3.2 |
| export | skl2onnx + onnxmltools' XGBoost converter, opset 17 / ai.onnx.ml 3, scaler with `div` |
| ONNX vs scikit-learn | max abs difference of probabilities on held-out rows: {facts["parity"]:.2e} |
| training | seed {facts["seed"]}, {facts["learners"]:,} simulated learners, {facts["words"]:,} synthetic words, {facts["train_rows"]:,} answers, {facts["seconds"]:.0f} s on 2 cores |

## Data: a learner simulator (`apps/quiz/simulator.py`)
No real learner data exists yet, so the model is trained on simulated answers whose
probability is known exactly:

- a word's difficulty = {p.w_niv}·(niv_diff − 2) + {p.w_syll}·(syllables − 2) − {p.w_freq_with_child}·(adult log frequency − mean)
  − {p.w_child}·(children's log frequency − mean) − {p.w_basique}·basique, where the children's log frequency is the
  mean of log(1 + Manulex CP–CM2) and log(1 + early readers); a dictionary without Manulex figures
  (old dumps) uses − {p.w_freq}·(adult log frequency − mean) instead (the synthetic words have both:
  about a third are missing from Manulex, i.e. frequency 0 for children);
- a learner has a latent ability θ ~ N(0, 1), a learning rate ~ U(0.3, 0.9) and a forgetting
  half-life ~ 12 days (log-normal); each answer adds memory to the word ({p.learn_correct}× rate when right,
  {p.learn_wrong}× when wrong, cap {p.memory_cap}), which halves every half-life; θ grows {p.growth_per_quiz} per quiz;
- P(correct) = sigmoid({p.base} + θ − difficulty + memory − {p.evening_penalty}·[hour ≥ 21] + {p.weekend_bonus}·[weekend]);
- quizzes of 10 words: 0–4 reviews, new words near the learner's ability, basics first for beginners;
  1–60 quizzes per learner over 5–120 days. Held out: 20% of the learners (no learner on both sides).

The same simulator generates the demo learners of the seed dump (`data/build/learners.py`).

## Features (`apps/quiz/features.py`, shared by training and serving)
| feature | meaning |
|---|---|
{rows}

## Held-out quality ({ev.rows:,} answers, {ev.positive_rate:.1%} right)
| metric | model | simulator's exact probabilities (best achievable) |
|---|---|---|
| ROC AUC | {ev.auc:.4f} | {ev.best_auc:.4f} |
| log loss | {ev.log_loss:.4f} | {ev.best_log_loss:.4f} |
| Brier score | {ev.brier:.4f} | |

Calibration (held-out rows by predicted probability):

| predicted | mean predicted | observed right | answers |
|---|---|---|---|
{calib}

## Limits
- Trained on simulated learners: the figures say the model recovers the simulator, not how
  real learners behave. Retrain on real `score_quiz` history once enough exists.
- Word difficulty sees only adult and children's frequency, syllables, niv_diff and `basique`; a word's meaning,
  its sign's difficulty and the learner's age are not modelled.
- `hour` is the server's local hour; learners in other time zones shift it.
"""
    kept = preserved_section(path)  # the policy evaluation's section (make eval-quiz-policy)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
