"""Model features, computed the same way for training (simulator) and serving (learner history).

Word features are static (one block built at start-up); learner features come from the
learner's ``user_word_history`` rows only, so a request needs one query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES: tuple[str, ...] = (
    "learner_level",
    "learner_accuracy",
    "basique_mastery",
    "log_words_seen",
    "times_seen",
    "times_correct",
    "days_since_seen",
    "log_freqfilms",
    "log_freqlivres",
    "nbr_syll",
    "niv_diff",
    "is_basique",
    "log_child_freq",
    "log_early_freq",
    "hour",
    "weekday",
)
N_FEATURES = len(FEATURE_NAMES)
STATIC_COLUMNS = slice(7, 14)  # word columns: log_freqfilms .. log_early_freq
NEVER_SEEN_DAYS = 365.0  # days_since_seen of a word never shown (and the cap)
LEVEL_THRESHOLDS = (15, 50, 120, 250)  # mastered words needed for levels 2, 3, 4, 5
MASTERED_MIN_CORRECT = 2
MASTERED_MIN_RATIO = 0.6


@dataclass(frozen=True)
class WordTable:
    """Numeric attributes of every sense, aligned arrays (index = position, not mot_id)."""

    mot_id: np.ndarray
    freqfilms: np.ndarray
    freqlivres: np.ndarray
    nbr_syll: np.ndarray
    niv_diff: np.ndarray
    is_basique: np.ndarray
    # Manulex (children's readers) frequencies per million: CP–CM2 and early readers (mean of
    # CP and CE1). None when the dictionary has none (dumps before Manulex); nan = not in Manulex.
    child_freq: np.ndarray | None = None
    early_freq: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.mot_id.shape[0])

    @property
    def has_child_freq(self) -> bool:
        """True when the children's frequencies are known (a dump with Manulex columns)."""
        return self.child_freq is not None and bool(np.isfinite(self.child_freq).any())

    def log_child_freqs(self) -> tuple[np.ndarray, np.ndarray]:
        """log(1 + children's frequency) over CP–CM2 and for early readers.

        A word missing from Manulex counts 0 (children do not read it); a dictionary without
        any Manulex figure (old dumps: the columns are NULL) falls back to the book frequency.
        """
        if not self.has_child_freq:
            books = np.log1p(np.maximum(self.freqlivres, 0)).astype(np.float32)
            return books, books
        early = self.early_freq if self.early_freq is not None else self.child_freq
        return _log_freq(self.child_freq), _log_freq(early)

    def static_block(self) -> np.ndarray:
        """The word columns of the feature matrix, float32 (n_words, 7)."""
        child, early = self.log_child_freqs()
        return np.column_stack(
            [
                np.log1p(np.maximum(self.freqfilms, 0)),
                np.log1p(np.maximum(self.freqlivres, 0)),
                self.nbr_syll,
                self.niv_diff,
                self.is_basique.astype(np.float32),
                child,
                early,
            ]
        ).astype(np.float32)


def _log_freq(freq: np.ndarray | None) -> np.ndarray:
    """log(1 + f) with missing (nan/None) and negative frequencies as 0."""
    if freq is None:
        return np.zeros(0, np.float32)
    f = np.nan_to_num(np.asarray(freq, np.float64), nan=0.0)
    return np.log1p(np.maximum(f, 0.0)).astype(np.float32)


@dataclass(frozen=True)
class LearnerSummary:
    """A learner's aggregates: level 1–5, smoothed accuracy, mastery of the basics."""

    level: int
    accuracy: float
    basique_mastery: float
    words_seen: int
    words_mastered: int
    answers: int


def mastered(times_seen: np.ndarray, times_correct: np.ndarray) -> np.ndarray:
    """Boolean mask of mastered words: answered right at least twice and 60% of the time."""
    return (times_correct >= MASTERED_MIN_CORRECT) & (
        times_correct >= MASTERED_MIN_RATIO * times_seen
    )


def summarise(
    times_seen: np.ndarray, times_correct: np.ndarray, is_basique: np.ndarray, n_basique: int
) -> LearnerSummary:
    """Aggregate per-word counts (any subset of words, aligned arrays) into a summary."""
    done = mastered(times_seen, times_correct)
    n_mastered = int(done.sum())
    answers = int(times_seen.sum())
    accuracy = (float(times_correct.sum()) + 1.0) / (answers + 2.0)  # Laplace: 0.5 when new
    basique_done = int((done & is_basique).sum())
    level = 1 + int(np.searchsorted(LEVEL_THRESHOLDS, n_mastered, side="right"))
    return LearnerSummary(
        level=level,
        accuracy=accuracy,
        basique_mastery=basique_done / max(n_basique, 1),
        words_seen=int((times_seen > 0).sum()),
        words_mastered=n_mastered,
        answers=answers,
    )


def feature_matrix(
    static: np.ndarray,
    summary: LearnerSummary,
    times_seen: np.ndarray,
    times_correct: np.ndarray,
    days_since: np.ndarray,
    hour: int,
    weekday: int,
) -> np.ndarray:
    """Rows of features (float32) for words whose static block and counts are given, aligned."""
    n = static.shape[0]
    x = np.empty((n, N_FEATURES), dtype=np.float32)
    x[:, 0] = summary.level
    x[:, 1] = summary.accuracy
    x[:, 2] = summary.basique_mastery
    x[:, 3] = np.log1p(summary.words_seen)
    x[:, 4] = times_seen
    x[:, 5] = times_correct
    x[:, 6] = np.minimum(days_since, NEVER_SEEN_DAYS)
    x[:, STATIC_COLUMNS] = static
    x[:, 14] = hour
    x[:, 15] = weekday
    return x
