"""Is one transcriber's WER on a set really above another's, or within what the set's recordings can tell apart?

The accuracy sets are a few hundred words each, made of a few dozen recordings. Two engines that differ
by one or two words on such a set are not told apart by it: a change of arithmetic alone (int8 against
float32 of the same engine) moves a set's WER by more than that. This module answers the question with a
paired bootstrap over the set's recordings (Koehn 2004, "Statistical significance tests for machine
translation evaluation"): draw the recordings again with replacement, many times, and look at where the
difference of the two engines' WER on the same draws falls.

Errors are counted per recording from one alignment of the whole text, so that the per-recording errors
add up to exactly the WER the tables print (a programme is transcribed as one file; cutting the
hypothesis at the recordings' times would count the words at the seams differently). jiwer and numpy
do the alignment and the resampling; what is ours is only the attribution of each error to a recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DRAWS = 10_000
LEVEL = 0.95


@dataclass(frozen=True)
class UnitErrors:
    """One recording's part of a set: the errors charged to it and its reference words."""

    errors: int
    words: int


@dataclass(frozen=True)
class Comparison:
    """Engine A's WER minus engine B's on the same recordings, with the bootstrap's interval of that difference."""

    difference: float  # WER(A) - WER(B) on the whole set
    error_difference: int  # errors of A - errors of B (words)
    low: float  # the interval's bounds, at LEVEL
    high: float
    share_worse: float  # share of draws in which A's WER is above B's

    @property
    def verdict(self) -> str:
        """"worse"/"better" only where the whole interval lies on one side of zero."""
        if self.low > 0:
            return "worse"
        if self.high < 0:
            return "better"
        return "within noise"


def errors_per_unit(unit_references: list[str], hypothesis: str) -> list[UnitErrors]:
    """Errors of ``hypothesis`` against the joined ``unit_references``, charged to the unit they fall in.

    The texts must be normalised already (words split on spaces). A substitution or deletion belongs to
    the unit of its reference word; an insertion to the unit of the reference word before it (the first
    unit for insertions before any word), so that words written over a pause count against the recording
    they follow.
    """
    import jiwer

    unit_words = [len(u.split()) for u in unit_references]
    if not any(unit_words):
        raise ValueError("the units have no reference words")
    owner = np.repeat(np.arange(len(unit_references)), unit_words)  # reference word index -> unit
    errors = np.zeros(len(unit_references), dtype=np.int64)
    reference = " ".join(u for u in unit_references if u.split())
    alignment = jiwer.process_words(reference, hypothesis if hypothesis.split() else "<empty>").alignments[0]
    for chunk in alignment:
        if chunk.type in ("substitute", "delete"):
            np.add.at(errors, owner[chunk.ref_start_idx:chunk.ref_end_idx], 1)
        elif chunk.type == "insert":
            errors[owner[max(chunk.ref_start_idx - 1, 0)]] += chunk.hyp_end_idx - chunk.hyp_start_idx
    return [UnitErrors(int(e), int(w)) for e, w in zip(errors, unit_words)]


def compare(a: list[UnitErrors], b: list[UnitErrors], draws: int = DRAWS, seed: int = 0) -> Comparison:
    """Paired bootstrap of WER(a) - WER(b) over units (the same recordings, in the same order, for both)."""
    if len(a) != len(b) or any(x.words != y.words for x, y in zip(a, b)):
        raise ValueError("the two engines must be scored on the same units")
    errors_a = np.array([u.errors for u in a], dtype=np.float64)
    errors_b = np.array([u.errors for u in b], dtype=np.float64)
    words = np.array([u.words for u in a], dtype=np.float64)
    picks = np.random.default_rng(seed).integers(0, len(a), size=(draws, len(a)))
    drawn_words = words[picks].sum(axis=1)
    drawn_words[drawn_words == 0] = np.nan  # a draw of wordless units says nothing
    differences = (errors_a[picks].sum(axis=1) - errors_b[picks].sum(axis=1)) / drawn_words
    differences = differences[~np.isnan(differences)]
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(differences, [tail, 1 - tail])
    return Comparison(
        difference=float((errors_a.sum() - errors_b.sum()) / words.sum()),
        error_difference=int(errors_a.sum() - errors_b.sum()),
        low=float(low), high=float(high),
        share_worse=float(np.mean(differences > 0)),
    )
