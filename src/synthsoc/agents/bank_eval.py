"""Individual-level accuracy of the agent bank on held-out questions, against three baselines.

Protocol (after genagents, Park et al. 2024): respondents are split (seeded) into a training
part and a test part. For each test respondent and each held-out item it answered, a method
predicts the respondent's own answer; accuracy is the share predicted exactly, per item and per
respondent. The methods:

* ``agent``: the respondent's generative agent (sketch + its answers to the memory items);
* ``demographics_agent``: the same model given the sketch only;
* ``majority``: the item's most common answer among the training respondents;
* ``statistical``: a multinomial logistic regression per held-out item, trained on the training
  respondents' answers to the memory items and demographics (one-hot, "not answered" as its own
  category), applied to the test respondent's own other answers.

genagents normalises accuracy by each participant's own test-retest consistency (the same
survey two weeks later). KGSS has no retest, so that denominator is unknown here; a consistency
of at most 1 means the raw accuracy is a lower bound of the normalised one, and the ratio
between methods (same people, same items) is what compares. An answer the model never gave
(malformed after re-asks) counts as wrong, and is reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder

from synthsoc.agents.bank import DEMOGRAPHICS, AgentBank, BankRespondent

NOT_ANSWERED = "_none"


@dataclass(frozen=True)
class Split:
    train: tuple[BankRespondent, ...]
    test: tuple[BankRespondent, ...]


def split_bank(bank: AgentBank, test_share: float, seed: int) -> Split:
    """A seeded random split of the respondents."""
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share must be in (0, 1), got {test_share}")
    order = np.random.default_rng([seed, 7]).permutation(len(bank.respondents))
    n_test = max(1, round(test_share * len(order)))
    test = tuple(bank.respondents[int(i)] for i in order[:n_test])
    train = tuple(bank.respondents[int(i)] for i in order[n_test:])
    return Split(train, test)


def majority_answer(train: Sequence[BankRespondent], item: str) -> str:
    """The most common answer to ``item`` among ``train`` (ties: the smaller code)."""
    counts = Counter(r.answers[item] for r in train if item in r.answers)
    if not counts:
        raise ValueError(f"no training respondent answered {item}")
    return min(counts, key=lambda code: (-counts[code], code))


def _features(respondents: Sequence[BankRespondent], columns: Sequence[str]) -> np.ndarray:
    return np.array([[r.answers.get(c, NOT_ANSWERED) for c in columns]
                     + [r.demographics.get(k, NOT_ANSWERED) for k in DEMOGRAPHICS]
                     for r in respondents], dtype=object)


def statistical_predictions(train: Sequence[BankRespondent], test: Sequence[BankRespondent],
                            item: str, feature_items: Sequence[str], seed: int) -> list[str]:
    """Each test respondent's predicted answer to ``item`` from its own other answers."""
    fit_on = [r for r in train if item in r.answers]
    x_train = _features(fit_on, feature_items)
    y_train = np.array([r.answers[item] for r in fit_on])
    encoder = OneHotEncoder(handle_unknown="ignore")
    model = LogisticRegression(max_iter=2000, C=0.1, random_state=seed)
    model.fit(encoder.fit_transform(x_train), y_train)
    x_test = _features(test, feature_items)
    return [str(p) for p in model.predict(encoder.transform(x_test))]


@dataclass(frozen=True)
class ItemScore:
    """One method on one item: how many test respondents answered it, how many it got right,
    and how many answers the method failed to give (counted wrong)."""

    item: str
    method: str
    answered: int
    correct: int
    missing: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else float("nan")


def score(test: Sequence[BankRespondent], item: str, method: str,
          predictions: Sequence[str | None]) -> tuple[ItemScore, np.ndarray]:
    """The item's score and a per-respondent correctness vector (NaN where not answered)."""
    if len(predictions) != len(test):
        raise ValueError(f"{method} on {item}: {len(predictions)} predictions for "
                         f"{len(test)} respondents")
    hits = np.full(len(test), np.nan)
    missing = 0
    for index, (r, guess) in enumerate(zip(test, predictions, strict=True)):
        if item not in r.answers:
            continue
        missing += guess is None
        hits[index] = float(guess == r.answers[item])
    answered = int(np.count_nonzero(~np.isnan(hits)))
    return ItemScore(item, method, answered, int(np.nansum(hits)), missing), hits


def per_respondent_accuracy(hits: np.ndarray) -> np.ndarray:
    """Mean correctness over the items each respondent answered (rows: respondents, columns:
    items); respondents who answered none are dropped."""
    keep = ~np.all(np.isnan(hits), axis=1)
    return np.nanmean(hits[keep], axis=1)
