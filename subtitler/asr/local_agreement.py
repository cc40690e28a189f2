"""Which words of a live transcript are stable enough to commit: the LocalAgreement-2 policy.

Whisper is not a streaming model: each decode of a growing audio buffer may rewrite the end
of the previous hypothesis. The policy of ufal/whisper_streaming (Macháček et al., 2023) is
to commit only the longest prefix on which two consecutive hypotheses agree; the rest stays
tentative and may still change. Words already committed that are still inside the audio
buffer are decoded again every time; they are recognised by time (they end before the last
commit) and, at the seam, by their text (an n-gram of up to five words repeating the end of
the committed text), and left out of the comparison.

This module is pure bookkeeping over :class:`WordTiming` lists with absolute times, so the
policy is tested without a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from subtitler.asr.alignment import WordTiming

SEAM_TOLERANCE_S = 0.1  # a re-decoded word may start this much before the last commit's end and still be new
SEAM_WINDOW_S = 1.0  # the n-gram check applies only when the first new word starts this near the last commit
MAX_SEAM_WORDS = 5


def word_key(word: str) -> str:
    """How two hypotheses' words are compared: the text without surrounding spaces.

    Punctuation and case count: "country" and "country." differ, so a word is committed with
    the punctuation the model settled on, which is what sentence-end trimming relies on.
    """
    return word.strip()


def _loose_key(word: str) -> str:
    """Text for the seam check, where a repeated word may come back with other case or punctuation."""
    return re.sub(r"[\W_]+", "", word.lower())


class LocalAgreement:
    """Commits the longest common prefix of two consecutive hypotheses (times in absolute seconds)."""

    def __init__(self) -> None:
        self._committed_in_buffer: list[WordTiming] = []  # committed words whose audio is still in the buffer
        self._previous: list[WordTiming] = []  # the last hypothesis' uncommitted words
        self.last_commit_end = 0.0

    @property
    def tentative(self) -> tuple[WordTiming, ...]:
        """The newest hypothesis' words that are not committed (shown, never written)."""
        return tuple(self._previous)

    @property
    def committed_in_buffer(self) -> tuple[WordTiming, ...]:
        return tuple(self._committed_in_buffer)

    def insert(self, hypothesis: Sequence[WordTiming]) -> list[WordTiming]:
        """Take a new hypothesis of the whole buffer; return the words committed by it, in order."""
        new = self._new_words(hypothesis)
        agreed = 0
        while agreed < min(len(new), len(self._previous)) and word_key(new[agreed].word) == word_key(self._previous[agreed].word):
            agreed += 1
        commit = new[:agreed]  # the newer decode's timings: it heard more of the audio around them
        self._previous = new[agreed:]
        self._record(commit)
        return commit

    def commit_all(self, hypothesis: Sequence[WordTiming]) -> list[WordTiming]:
        """Commit every new word of a final hypothesis (its audio is complete: an utterance or the stream ended)."""
        commit = self._new_words(hypothesis)
        self._previous = []
        self._record(commit)
        return commit

    def commit_before(self, end_s: float) -> list[WordTiming]:
        """Commit the tentative words that end by `end_s` (a buffer that would otherwise outgrow a window)."""
        count = 0
        while count < len(self._previous) and self._previous[count].end <= end_s:
            count += 1
        commit, self._previous = self._previous[:count], self._previous[count:]
        self._record(commit)
        return commit

    def forget_before(self, time_s: float) -> None:
        """The buffer now starts at `time_s`: committed words that ended by then are no longer decoded again."""
        self._committed_in_buffer = [w for w in self._committed_in_buffer if w.end > time_s]

    def reset(self) -> None:
        """A new utterance starts on an empty buffer: nothing of the old one will be decoded again."""
        self._committed_in_buffer = []
        self._previous = []

    def _record(self, commit: list[WordTiming]) -> None:
        if commit:
            self._committed_in_buffer.extend(commit)
            self.last_commit_end = max(self.last_commit_end, commit[-1].end)

    def _new_words(self, hypothesis: Sequence[WordTiming]) -> list[WordTiming]:
        """The hypothesis without the words that were already committed (by time, then by text at the seam)."""
        new = [w for w in hypothesis if w.start > self.last_commit_end - SEAM_TOLERANCE_S]
        if not new or not self._committed_in_buffer or abs(new[0].start - self.last_commit_end) >= SEAM_WINDOW_S:
            return new
        done = self._committed_in_buffer
        for n in range(min(len(done), len(new), MAX_SEAM_WORDS), 0, -1):  # the longest repeat first
            if [_loose_key(w.word) for w in done[-n:]] == [_loose_key(w.word) for w in new[:n]]:
                return new[n:]
        return new
