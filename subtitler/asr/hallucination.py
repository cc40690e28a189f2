"""Guards against Whisper's best-known failure: text it invents or repeats on silence, noise, music and at file ends.

Each guard is switched by its own ``TranscribeOptions`` field and reports what it removed as
:class:`Dropped` (the CLI's ``--show-dropped`` prints them; ``benchmarks/bench_accuracy.py`` counts them on
speech and on non-speech, because a guard must never cost real words):

- :class:`RepetitionGuard` — the same text many times in a row, text that replays the recent
  segments, and loops inside a window no temperature escaped;
- :func:`is_filler` — the stock phrases Whisper produces on non-speech ("Thank you.", "Subtitles by
  the Amara.org community", ...), dropped only where the voice-activity model hears no speech;
- :class:`SpeechGate` — where the voice-activity probability stays low, no word is kept (and a window
  without any speech is not decoded at all);
- :func:`silence_skip` — openai-whisper's ``hallucination_silence_threshold``: a segment whose words look
  anomalous (improbable, too short, too long) and that is surrounded by silence is cut, and decoding
  resumes after the silence.

Everything here is plain Python on texts, times and probabilities; transcribe.py calls it.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from subtitler.asr.alignment import WordTiming
from subtitler.asr.decoding import compression_ratio
from subtitler.asr.vad import FRAME_SECONDS, SpeechActivity


@dataclass(frozen=True)
class Dropped:
    """Text a guard removed: why, where (seconds) and what."""

    reason: str  # "repeat", "replay", "loop", "filler", "no-speech", "silence-skip", "past-end"
    start: float
    end: float
    text: str


def normalised(text: str) -> str:
    """Lower case words without punctuation, for comparing texts."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


# --- repetition ----------------------------------------------------------------------------------

class RepetitionGuard:
    """Cuts repetition loops, the typical Whisper hallucination over silence, noise or a lost context.

    - the same segment text more than ``max_repeats`` times in a row (across windows) is dropped;
    - a segment of at least ``repeat_min_words`` words whose text occurs in the last ``repeat_lookback``
      kept segments replays them (a loop replays whole sentences, often split differently; short replies
      like "Okay." may recur): the caller decodes the window again without the previous text as prompt
      (:meth:`replays`), and what still replays is dropped where there is no speech; a window that turns
      to replaying its own text after new text is cut where it turns (:meth:`loop_after_new_text`);
    - in a window that stayed too repetitive at every temperature, a segment whose text already occurred
      in that window, or which is itself repetitive, is dropped.

    :meth:`filter` judges one window's texts; :meth:`commit` records the texts finally kept.
    """

    def __init__(self, options) -> None:
        self.options = options
        self._recent: list[str] = []  # normalised texts of kept segments, newest last
        self._last = ""
        self._count = 0

    def _repeats_in_a_row(self, key: str) -> bool:
        self._count = self._count + 1 if key == self._last else 1
        self._last = key
        return self.options.max_repeats is not None and self._count > self.options.max_repeats

    def _replays_recent(self, key: str, window: Sequence[str] = ()) -> bool:
        """Whether ``key`` occurs in the recent texts, or all of it but its first word when more than
        ``repeat_min_words`` words remain: a copy often changes only its opening word (base, prompted with
        "So I don't hear that in New Jersey now.", wrote "Oh, I don't hear that in New Jersey now." over the
        first words of the next clip, 24 s later, and that clip's line was lost)."""
        lookback = self.options.repeat_lookback
        words = key.split()
        if lookback <= 0 or len(words) < self.options.repeat_min_words:
            return False
        recent = f" {' '.join([*self._recent, *window][-lookback:])} "
        if f" {key} " in recent:
            return True
        return len(words) - 1 > self.options.repeat_min_words and f" {' '.join(words[1:])} " in recent

    def _loops_in_window(self, text: str, key: str, seen: set[str]) -> bool:
        threshold = self.options.compression_ratio_threshold
        return key in seen or (threshold is not None and compression_ratio(text) > threshold)

    def replays(self, texts: Sequence[str]) -> bool:
        """Whether any of a window's segment texts replays the recent segments or an earlier text of the same window.

        The second counts too: tiny.en, prompted with the previous text, wrote "Mr. Quilter is the apostle of the
        middle classes..." twice in one window of a long-form programme; the alignment put the copy on the first
        words of the next clip, where it stayed (someone speaks there) and took their place. Decoded without the
        prompt, the window wrote the line once, and the next window heard those words.
        """
        return self._first_replay(texts) is not None

    def loop_after_new_text(self, texts: Sequence[str]) -> int | None:
        """Where a window that opened with new text turned to repeating itself: the index of its first text that
        replays an earlier text of the same window but not the recent segments; None where there is no such turn.

        base, prompted, wrote a long-form programme's repeated call ("Hello? ... I need to design. Okay. I thought,
        you know, I heard a beep. ...") with every line, then "I'm in Chicago." ten times over the rest of the
        window. Its decode without the prompt replayed nothing, but left out "neither did I. Okay then. I thought,
        you know" (7 of its words, twice in that programme): the new text before the turn is worth keeping.
        """
        index = self._first_replay(texts)
        if index is None or not any(normalised(text) for text in texts[:index]):
            return None
        return None if self._replays_recent(normalised(texts[index])) else index

    def _first_replay(self, texts: Sequence[str]) -> int | None:
        """The index of the first text that replays the recent segments or an earlier text of the window."""
        earlier: list[str] = []
        for index, text in enumerate(texts):
            key = normalised(text)
            if self._replays_recent(key, earlier):
                return index
            if key:
                earlier.append(key)
        return None

    def filter(self, texts: Sequence[str], window_repetitive: bool) -> list[str | None]:
        """For each segment text of one window, why to drop it ("repeat", "replay", "loop") or None to keep it.

        "replay" is a candidate only: the caller keeps it where the voice-activity model hears speech.
        """
        reasons: list[str | None] = []
        seen: set[str] = set()
        earlier: list[str] = []  # this window's texts so far that were not dropped
        for text in texts:
            key = normalised(text)
            reason = "repeat" if self._repeats_in_a_row(key) else "replay" if self._replays_recent(key, earlier) else None
            if reason is None and window_repetitive and self.options.drop_repetitive and self._loops_in_window(text, key, seen):
                reason = "loop"
            seen.add(key)
            if reason is None and key:
                earlier.append(key)
            reasons.append(reason)
        return reasons

    def mark(self) -> tuple[str, int]:
        """Where the count of repeats in a row stands, for :meth:`rewind` when a window is decoded again."""
        return self._last, self._count

    def rewind(self, mark: tuple[str, int]) -> None:
        self._last, self._count = mark

    def commit(self, texts: Sequence[str]) -> None:
        """Remember the texts that were kept (they are what a later loop would replay)."""
        self._recent.extend(k for k in (normalised(t) for t in texts) if k)
        del self._recent[: max(0, len(self._recent) - max(self.options.repeat_lookback, 1))]


# --- fillers ------------------------------------------------------------------------------------------

# Stock phrases from Whisper's training subtitles that it produces on silence, noise and music
# (collected from the issue trackers of openai-whisper and faster-whisper), normalised.
FILLERS = frozenset(normalised(t) for t in (
    "you", "Thank you.", "Thank you very much.", "Thank you so much.", "Thanks.", "Thank you for watching.",
    "Thanks for watching!", "Thank you for watching!", "Thanks for watching.", "Please subscribe.",
    "Please subscribe to my channel.", "Subscribe.", "Bye.", "Bye-bye.", "Bye bye.", "See you next time.",
    "I'll see you next time.", "See you in the next video.", "So.", "Oh.", "Okay.", "Hmm.", "Uh.", "Um.", "Ah.",
    "The end.", "Music", "Applause", "Laughter", "Silence", "Beep",
    "Gracias.", "Gracias por ver.", "Gracias por ver el video.", "¡Suscríbete!", "Suscríbete al canal.",
    "Merci.", "Merci d'avoir regardé.", "Merci d'avoir regardé cette vidéo.", "Danke.", "Vielen Dank.",
    "Danke fürs Zuschauen.", "Tschüss.", "Grazie.", "Grazie per la visione.", "Obrigado.", "Obrigada.",
    "Obrigado por assistir.", "Продолжение следует...", "Спасибо.", "ご視聴ありがとうございました", "ありがとうございました",
    "谢谢观看", "字幕by索兰娅", "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
))
FILLER_PATTERNS = (
    re.compile(r"\bamara\s*org\b"),  # "Subtitles by the Amara.org community" in every language
    re.compile(r"\b(subtitles?|captions?|untertitel\w*|sous titres?|sottotitoli|subt[ií]tulos|legendas?)\b.*\b(by|von|par|da|por|pela|des|der|im auftrag)\b"),
    re.compile(r"^(thanks?|thank you)( very much| so much)? for (watching|listening|your attention)\b"),
    re.compile(r"\b(like and )?subscribe\b.*\bchannel\b"),
)


def is_filler(text: str) -> bool:
    """Whether ``text`` is a stock phrase Whisper is known to invent on non-speech."""
    key = normalised(text)
    return bool(key) and (key in FILLERS or any(p.search(key) for p in FILLER_PATTERNS))


# --- voice activity ---------------------------------------------------------------------------------

WORD_PAD_S = 0.25  # word times from attention may be off by this much
ATTACH_S = 0.3  # a word this close to a neighbour on speech belongs to the same utterance
INNER_S = 3.0  # the longest run of unheard words kept between heard words of its segment
LEAD_S = 1.0  # a segment's first word this close before its spoken words leads into them (a soft "So" Silero misses)
MIN_WORD_S = 0.08  # the least clear speech a slipped word needs to be placed on
MIN_WINDOW_S = 0.1  # a shorter window is not decoded: no word fits, and Whisper fills the padding with invented text
HELD_TAIL_S = 0.3  # a shorter window inside audio the window before it held is that window's tail: not decoded
MAX_WORD_S = 0.6  # the most a slipped word is spread over
TAIL_SPEECH_S = 1.0  # seconds of clear speech after a window's last text that its next window must not skip
FILLER_SPEECH_S = 2.0  # seconds of clear speech in a window that a stock phrase alone does not account for
STRETCHED_S = 2.0  # a word timed over this much clear speech stands for words the decoder left out
STRETCH_WORDS = 3  # ... when it is one of its segment's last this many words
FAINT = 0.5  # a segment the model is sure of needs only this share of the speech threshold under it
SURE_WORDS = 0.6  # mean word probability of a segment the model is sure of
SKIPPED_S = 1.5  # a window's first word this long after its start ...
SKIPPED_SPEECH_S = 1.0  # ... with this much clear speech before it: the window is decoded again, shorter
FRESH_MIN_S = 1.0  # the shortest run of unheard words that is rated again from a fresh start
FRESH_SHARE = 0.5  # ... and kept where that rating hears this share of it (music-like tones: at most 0.19)
LEAD_GAP_S = 1.0  # the longest pause inside a run of sure, unheard words that leads into heard speech ...
LEAD_RUN_S = 6.0  # ... and the longest such run, from its first word to the heard word it leads into
LEAD_WORDS = 2  # the fewest words of such a run (one word before speech is the alignment stretching it: LEAD_S)
TAIL_PROGRESS_S = 1.0  # a window's unheard last words are heard again by the next window only this far on from its start


class SpeechGate:
    """Keeps text only where the voice-activity model hears speech.

    A window whose speech probability stays below ``threshold`` throughout is not decoded; a word whose
    time (widened by ``WORD_PAD_S`` on each side, for timing error) stays below it is dropped; a segment
    without word timings is judged on its own span.
    """

    FILLER_THRESHOLD = 0.5  # Silero's own speech threshold: a filler is dropped unless there is clear speech under it

    def __init__(self, activity: SpeechActivity, threshold: float | None) -> None:
        self.activity = activity
        self.threshold = threshold

    @classmethod
    def for_options(cls, audio: np.ndarray, options, should_stop: Callable[[], bool] | None = None,
                    activity: SpeechActivity | None = None) -> SpeechGate | None:
        """The gate the options ask for: a voice-activity guard is on (the probabilities are computed lazily,
        or come from ``activity`` when the caller rates the audio anyway)."""
        if options.speech_threshold is None and not options.drop_fillers and not options.retry_replays:
            return None
        return cls(activity or SpeechActivity(audio, should_stop), options.speech_threshold)

    def window_has_speech(self, start: float, end: float, held_until: float = 0.0) -> bool:
        """Whether a window is worth decoding: speech in it, long enough to hold a word, and not the tail of
        the audio the window before it held (which ended at ``held_until``).

        The seek after a window goes to its last word's end, and a file whose speech runs to its end can leave
        a tail of a few frames: base with beam 5 decoded the last 0.02 s of pyannote_sample.wav into 224 tokens
        of "I'm sorry, I'm sorry, ...", which the guards then dropped. A tail up to HELD_TAIL_S long that the
        window before held whole was heard there already (its text ended before it), and alone, 29.7 s of
        padding after it, Whisper writes the prompt again or loops: base with beam 5 and bfloat16 cross-attention
        wrote the last 0.2 s as "I don't hear that." and then, without the prompt, the loop (4 s of a 7.6-s
        transcription), both dropped."""
        if self.threshold is None:
            return True
        if end <= held_until and end - start < HELD_TAIL_S:
            return False
        return end - start >= MIN_WINDOW_S and self.activity.peak(start, end) >= self.threshold

    def word_has_speech(self, word: WordTiming) -> bool:
        return self.threshold is None or self.activity.peak(word.start - WORD_PAD_S, word.end + WORD_PAD_S) >= self.threshold

    def word_flags(self, words: Sequence[WordTiming]) -> list[bool]:
        """Which of a segment's words have speech: under them (see :meth:`word_has_speech`), in a run of words
        the model is sure of over faint speech (:meth:`heard_faintly`), or touching a neighbour that has it.
        The alignment often stretches an utterance's first word back into the silence before it (base put
        "He" at 392.48-393.08 s of the long-form programme, the voice starting at 393.3 s). A segment's single
        first word within LEAD_S before its spoken words is kept too: tiny.en put the soft "So" that opens
        mfa_cold_corpus.wav 0.77 s before "this", where Silero heard nothing, and the gate dropped it. A run of up
        to INNER_S between kept words of the segment, with no pause on either side, is kept: under a 15-dB noise bed
        Silero missed "and I think this" inside "And here's the long pause and I think this is probably good."
        """
        heard = [self.word_has_speech(w) for w in words]
        for has_speech, run in itertools.groupby(range(len(words)), key=heard.__getitem__):
            run = list(run)  # a run of words without clear speech is kept whole if heard faintly or afresh
            if not has_speech and (self.heard_faintly(words[run[0]: run[-1] + 1])
                                   or self.heard_afresh(words[run[0]: run[-1] + 1])):
                heard[run[0]: run[-1] + 1] = [True] * len(run)
        flags = [h or (i > 0 and heard[i - 1] and w.start - words[i - 1].end <= ATTACH_S)
                 or (i + 1 < len(words) and heard[i + 1] and words[i + 1].start - w.end <= ATTACH_S)
                 for i, (w, h) in enumerate(zip(words, heard))]
        if len(words) > 1 and not flags[0] and heard[1] and words[1].start - words[0].end <= LEAD_S:
            flags[0] = True
        for kept, run in itertools.groupby(range(len(words)), key=flags.__getitem__):
            run = list(run)  # a short run between kept words of the segment, without a pause on either side
            first, last = run[0], run[-1]
            if (not kept and first > 0 and last + 1 < len(words) and words[last].end - words[first].start <= INNER_S
                    and words[first].start - words[first - 1].end <= ATTACH_S
                    and words[last + 1].start - words[last].end <= ATTACH_S):
                flags[first: last + 1] = [True] * len(run)
        return flags

    def heard_faintly(self, words: Sequence[WordTiming]) -> bool:
        """A segment the model is sure of, over faint speech: Silero rates a congested or quiet voice low, and
        lower still after a different lead-in (mfa_cold_corpus.wav's "So this is the sick corpus. I have a cold,"
        peaked at 0.48 in the long-form programme and at 0.18 when transcribed from 30 s in, where the gate dropped
        it). Silero's peak on 1-s stretches of the accuracy benchmark's non-speech files (silence, hum, white/pink/brown
        noise, tones, music-like tones) stayed below 0.08.

        That peak is looked for under words of a spoken length only. A word the alignment stretched over more than
        STRETCHED_S holds the frames it could not place, not a timing: base in float32 ended an unfinished window of
        programme 2 with "...behind the curtain on the", "the" at 274.66-284.52 s over mains hum, and a blip of 0.10
        eight seconds into it (the next recording's opening) kept it: a word inside non-speech, and a cue on screen 19 s
        after the speech."""
        if self.threshold is None or not words:
            return False
        sure = sum(w.probability for w in words) / len(words) >= SURE_WORDS
        spoken = [w for w in words if w.end - w.start <= STRETCHED_S]
        return sure and bool(spoken) and self.span_has_speech(spoken[0].start - WORD_PAD_S, spoken[-1].end + WORD_PAD_S,
                                                              self.threshold * FAINT)

    def heard_afresh(self, words: Sequence[WordTiming]) -> bool:
        """A run of words of at least FRESH_MIN_S that Silero, started afresh just before it, hears for the most part.

        The rating in pieces can stay deaf after a long stretch of non-speech: after 18 s of music-like tones, the
        opening of mfa_cold_corpus.wav in a long-form programme ("So this is the sick corpus. I have a") was rated
        0.00-0.003 and dropped, while a fresh start heard 78 % of it. See :meth:`SpeechActivity.fresh_share`.
        """
        if self.threshold is None or not words or words[-1].end - words[0].start < FRESH_MIN_S:
            return False
        return self.activity.fresh_share(words[0].start, words[-1].end) >= FRESH_SHARE

    def voiced(self, start: float, end: float) -> list[tuple[float, float]]:
        """The stretches of [start, end) where Silero hears clear speech, in order."""
        probs = self.activity.probabilities(start, end)
        first = math.floor(start / FRAME_SECONDS + 1e-9)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], (probs >= self.FILLER_THRESHOLD).astype(np.int8), [0]))))
        return [(max(start, (first + a) * FRAME_SECONDS), min(end, (first + b) * FRAME_SECONDS))
                for a, b in zip(edges[::2], edges[1::2])]

    def span_has_speech(self, start: float, end: float, threshold: float | None = None) -> bool:
        threshold = self.threshold if threshold is None else threshold
        return threshold is None or self.activity.peak(start, end) >= threshold

    def speech_bounds(self, start: float, end: float) -> tuple[float, float]:
        """[start, end] narrowed to where clear speech begins and ends in it (unchanged when there is none)."""
        voiced = self.voiced(start, end)
        return (voiced[0][0], voiced[-1][1]) if voiced else (start, end)

    def voiced_share(self, start: float, end: float) -> float:
        """The share of [start, end) where Silero hears clear speech."""
        probs = self.activity.probabilities(start, end)
        return float((probs >= self.FILLER_THRESHOLD).mean()) if len(probs) else 0.0

    def voiced_seconds(self, start: float, end: float) -> float:
        """How many seconds of [start, end) Silero hears as clear speech (what most guards weigh)."""
        return self.voiced_share(start, end) * (end - start)

    def clear_speech(self, start: float, end: float) -> bool:
        """Speech by Silero's own threshold somewhere in [start, end): what a filler or a replay needs to stay."""
        return self.activity.peak(start, end) >= self.FILLER_THRESHOLD


# --- one window's segments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """What becomes of one segment: kept (with the words the gate left) or not, and what was dropped."""

    keep: bool
    words: tuple[WordTiming, ...] = ()
    dropped: tuple[Dropped, ...] = ()


def _span(start: float, end: float, words: Sequence[WordTiming]) -> tuple[float, float]:
    return (words[0].start, words[-1].end) if words else (start, end)


def judge_segment(start: float, end: float, text: str, words: Sequence[WordTiming], reason: str | None,
                  gate: SpeechGate | None, drop_fillers: bool, timed: bool = True,
                  flags: Sequence[bool] | None = None) -> Verdict:
    """Apply the repetition verdict ``reason``, the filler guard and the speech gate to one segment.

    ``timed=False``: the word times are estimates (see :func:`spread`), so the gate judges the segment's span.
    ``flags``: which words have speech, when the window's guards worked it out already (see
    :func:`leads_into_speech`); else :meth:`SpeechGate.word_flags`.
    """
    words = tuple(words)
    if not timed:
        verdict = judge_segment(start, end, text, (), reason, gate, drop_fillers)
        return Verdict(verdict.keep, words if verdict.keep else (), verdict.dropped)
    low, high = _span(start, end, words)
    if reason == "replay" and gate is not None and gate.clear_speech(low, high):
        reason = None  # the same words again, but someone says them
    if reason is None and drop_fillers and gate is not None and is_filler(text) and not gate.clear_speech(low, high):
        reason = "filler"
    if reason is not None:
        return Verdict(False, dropped=(Dropped(reason, start, end, text),))
    if gate is None or gate.threshold is None:
        return Verdict(True, words)
    if not words:
        return Verdict(True) if gate.span_has_speech(start, end) else Verdict(False, dropped=(Dropped("no-speech", start, end, text),))
    flags = gate.word_flags(words) if flags is None else list(flags)
    words = _led_in(words, flags, gate)
    kept = tuple(w for w, heard in zip(words, flags) if heard)
    gone = [w for w, heard in zip(words, flags) if not heard]
    dropped = (Dropped("no-speech", gone[0].start, gone[-1].end, "".join(w.word for w in gone)),) if gone else ()
    return Verdict(bool(kept), kept, dropped)


def _sure_run(words: Sequence[WordTiming]) -> bool:
    """Whether unheard words are a run the model is sure of: at least LEAD_WORDS, mean probability SURE_WORDS."""
    return len(words) >= LEAD_WORDS and sum(w.probability for w in words) / len(words) >= SURE_WORDS


def leads_into_speech(words: Sequence[WordTiming], flags: Sequence[bool]) -> list[bool]:
    """``flags`` (which of a window's words, in order, have speech) with runs of sure words that lead straight
    into heard speech set too.

    Under the programmes' pink-noise bed 15 dB below the voice, Silero is deaf to the opening of
    mfa_cold_corpus.wav, rated 0.000-0.003 and no better from a fresh start, though base wrote it word for word
    ("So, this is the sick corpus. I have a cold," at mean probability 0.81) and the rest of the sentence, which
    Silero hears, follows 0.12 s later: the gate dropped ten spoken words of programme 1. A run of unheard words
    is kept as far back from the heard word it leads into as no pause is longer than LEAD_GAP_S and it spans at most
    LEAD_RUN_S, when the model is sure of what is kept (mean probability SURE_WORDS) and it is at least LEAD_WORDS long.
    Only runs that lead into speech: invented text trails off after speech (into the silence or music after it), so
    what follows heard words is left to the other rules. A single word is left to them too: tiny.en timed the "He" of
    "He began a confused complaint" 0.8 s before "began", inside the test tones before the voice; kept, it would be a
    word written on non-speech.
    """
    flags = list(flags)
    for heard in range(len(words) - 1, 0, -1):
        if not flags[heard] or flags[heard - 1]:
            continue  # not a heard word after an unheard one
        first = heard
        while (first > 0 and not flags[first - 1] and words[first].start - words[first - 1].end <= LEAD_GAP_S
               and words[heard].start - words[first - 1].start <= LEAD_RUN_S):
            first -= 1
        if _sure_run(words[first: heard]):
            flags[first: heard] = [True] * (heard - first)
    return flags


def _led_in(words: tuple[WordTiming, ...], flags: Sequence[bool], gate: SpeechGate) -> tuple[WordTiming, ...]:
    """A kept first word with no speech under it, before a heard one, moved to end where that one starts.

    The alignment stretches an utterance's first word back into the pause before it, and a word kept as the
    lead-in of heard words (LEAD_S) stayed there: base timed jfk's "And" at 234.96 s of a programme, in the music
    before the voice that starts at 236.0 s ("so" at 236.3 s). Its length is kept."""
    if len(words) < 2 or not (flags[0] and flags[1]) or gate.word_has_speech(words[0]) or not gate.word_has_speech(words[1]):
        return words
    first, gap = words[0], words[1].start - words[0].end
    if gap <= 0:
        return words
    return (dataclasses.replace(first, start=round(first.start + gap, 3), end=words[1].start), *words[1:])


# --- word times the alignment put elsewhere ---------------------------------------------------------------

STRAY_S = 1.0  # how far outside its segment's own timestamps a word may be timed


def stray(start: float, end: float, words: Sequence[WordTiming]) -> bool:
    """Words timed wholly outside their segment's own timestamps (more than STRAY_S off): the alignment failed.

    Seen on pyannote_sample.wav (tiny.en, with a prompt): a 0–12.2 s segment's words were all put at 27.2–30 s,
    and openai-whisper's rule of starting the next window after the last word skipped 18 s of speech.
    """
    return bool(words) and (words[0].start > end + STRAY_S or words[-1].end < start - STRAY_S)


def spread(words: Sequence[WordTiming], start: float, end: float) -> tuple[WordTiming, ...]:
    """The words re-timed over [start, end] in proportion to their length (what is known without the alignment)."""
    weights = [max(1, len(w.word.strip())) for w in words]
    total, done, out = sum(weights), 0, []
    for word, weight in zip(words, weights):
        a = start + (end - start) * done / total
        done += weight
        out.append(dataclasses.replace(word, start=round(a, 3), end=round(start + (end - start) * done / total, 3)))
    return tuple(out)


def free_parts(start: float, end: float, spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of [start, end] that none of ``spans`` covers, in order."""
    parts, at = [], start
    for a, b in sorted(spans):
        if b <= at:
            continue
        if a >= end:
            break
        if a > at:
            parts.append((at, a))
        at = max(at, b)
    if at < end:
        parts.append((at, end))
    return parts


def uncovered(start: float, end: float, spans: Sequence[tuple[float, float]]) -> float:
    """Seconds of [start, end] that none of ``spans`` covers."""
    return sum(b - a for a, b in free_parts(start, end, spans))


# --- openai-whisper's hallucination_silence_threshold ---------------------------------------------------

PUNCTUATION = set(string.punctuation) | set("“¿([{-\"'.。,，!！?？:：”)]}、")


def word_anomaly(word: WordTiming) -> float:
    """How unlike a spoken word this is: improbable, very short or very long (openai-whisper's score)."""
    duration = word.end - word.start
    score = 1.0 if word.probability < 0.15 else 0.0
    if duration < 0.133:
        score += (0.133 - duration) * 15
    if duration > 2.0:
        score += duration - 2.0
    return score


def is_anomalous(words: Sequence[WordTiming] | None) -> bool:
    """A segment whose first eight words look invented (openai-whisper's ``is_segment_anomaly``)."""
    if not words:
        return False
    spoken = [w for w in words if w.word.strip() not in PUNCTUATION][:8]
    score = sum(word_anomaly(w) for w in spoken)
    return score >= 3 or score + 0.01 >= len(spoken)


@dataclass(frozen=True)
class SilenceSkip:
    """What :func:`silence_skip` decided for one window.

    ``keep``: how many of the window's segments stay; ``seek_s``: where the next window starts (None:
    as usual); ``redo``: nothing of this window is kept and decoding restarts at ``seek_s``.
    """

    keep: int
    seek_s: float | None = None
    redo: bool = False


def silence_skip(segments: Sequence[tuple[float, float, Sequence[WordTiming]]], threshold: float, time_offset: float,
                 window_s: float, last_speech: float, complete: bool, duration: float) -> SilenceSkip:
    """openai-whisper's ``hallucination_silence_threshold`` on one window's segments (start, end, words).

    - A window that ended mid-segment resumes after its last word only when more than ``threshold``
      seconds remain in the window after it, else after the whole window.
    - If the first segment with words is anomalous and starts more than ``threshold`` after the window
      start, the window is decoded again from that segment's start (the silence before it is skipped).
    - A later anomalous segment with silence (or another anomaly) on both sides ends the window there,
      and decoding resumes at its start; near the end of the audio it ends the transcription.
    """
    seek_s = None
    window_end = time_offset + 30.0
    if not complete:
        last_end = next((words[-1].end for _, _, words in reversed(segments) if words), None)
        if last_end is not None and last_end > time_offset:
            seek_s = last_end if window_end - last_end > threshold else time_offset + window_s
    first = next((s for s in segments if s[2]), None)
    if first is not None and is_anomalous(first[2]) and first[0] - time_offset > threshold:
        return SilenceSkip(0, first[0], redo=True)
    previous_end = last_speech
    for index, (start, end, words) in enumerate(segments):
        if not words:
            continue
        if is_anomalous(words):
            following = next((s for s in segments[index + 1:] if s[2]), None)
            next_start = following[2][0].start if following is not None else time_offset + window_s
            silence_before = start - previous_end > threshold or start < threshold or start - time_offset < 2.0
            silence_after = (next_start - end > threshold or is_anomalous(following[2] if following else None)
                             or window_end - end < 2.0)
            if silence_before and silence_after:
                resume = max(time_offset + 1, start)
                return SilenceSkip(index, duration if duration - end < threshold else resume)
        previous_end = end
    return SilenceSkip(len(segments), seek_s)


# --- all of them on one window ---------------------------------------------------------------------------

FRAMES_PER_SECOND = 100  # mel frames (seek units)


@dataclass(frozen=True)
class GuardedWindow:
    """One window after the guards. ``redo``: keep nothing and decode again from seek + ``advance``, or with ``size``
    from the same seek as a window of that many frames; ``clean``: nothing was dropped; ``last_speech``: the end of
    the last kept word, when the guards changed it."""

    pieces: list[Any]
    texts: list[str]
    advance: int
    clean: bool = True
    redo: bool = False
    last_speech: float | None = None
    size: int | None = None


class WindowGuards:
    """The guards applied to each window's segments in the order that matters: repetition (on text),
    word timing (by the caller's ``add_words``), openai-whisper's silence skip (on word gaps), then the
    filler guard and the speech gate (on voice activity). Reports every drop to ``on_dropped``.

    Pieces are the caller's frozen dataclasses with ``start``, ``end``, ``tokens`` and ``words``.
    """

    def __init__(self, options, gate: SpeechGate | None, on_dropped: Callable[[Dropped], None] | None = None) -> None:
        self.options, self.gate, self.on_dropped = options, gate, on_dropped
        self.repetition = RepetitionGuard(options)

    def window_has_speech(self, start: float, end: float, held_until: float = 0.0) -> bool:
        return self.gate is None or self.gate.window_has_speech(start, end, held_until)

    def only_filler_over_speech(self, texts: Sequence[str], start: float, end: float) -> bool:
        """Whether a window wrote nothing but stock phrases ("Thank you.") where it holds FILLER_SPEECH_S of clear
        speech: the prompt pulled the decoder into the phrase, and the speech went unheard. tiny.en, prompted with
        four minutes of a programme, wrote "Thank you." over the 4.9 s of librispeech's "He began a confused
        complaint against the wizard..." (the phrase's first word at probability 0.00); without the prompt it
        wrote the line. Over noise the phrase is left to the filler guard: no clear speech, no second decode."""
        if self.gate is None or not texts or not all(is_filler(text) for text in texts):
            return False
        return self.gate.voiced_seconds(start, end) >= FILLER_SPEECH_S

    def silent_over_speech(self, texts: Sequence[str], start: float, end: float) -> bool:
        """Whether a window wrote nothing where it holds FILLER_SPEECH_S of clear speech: the decode failed at every
        temperature and was taken for silence. base, prompted with "...ask what you can do for your country. He
        began a confused complaint...", ended its fallback on programme 2's 276.7-306.7 s at temperature 0.8
        (average log-probability -1.92, no-speech 0.72), and pyannote_sample.wav's call (56 words) was skipped;
        without the prompt it wrote the call at temperature 0."""
        if self.gate is None or texts:
            return False
        return self.gate.voiced_seconds(start, end) >= FILLER_SPEECH_S

    def squeeze_stretched_tail(self, words: Sequence[WordTiming]) -> tuple[WordTiming, ...] | None:
        """A segment's words with the first of its last STRETCH_WORDS that the alignment stretched over STRETCHED_S
        of clear speech, and the words after it, put back at MAX_WORD_S a word from its start; None when none is.

        Such a word stands for words the decoder passed over: tiny.en ended a window with "...you know there's
        some" at 481.7-491.5 s of programme 6, "there's" timed 486.8-490.4 s over "speech errors but who cares
        um this is me talking really slow and slightly lower"; the next window began at 491.5 s and those 14 words
        were lost. Squeezed, the segment ends where its text was heard to end, and :meth:`resume_before_heard_tail`
        starts the next window there."""
        if self.gate is None or self.gate.threshold is None:
            return None
        first = len(words) - min(len(words), STRETCH_WORDS)
        for index in range(first, len(words)):
            word = words[index]
            length = word.end - word.start
            if length >= STRETCHED_S and self.gate.voiced_seconds(word.start, word.end) >= STRETCHED_S:
                tail = words[index:]
                return (*words[:index], *spread(tail, word.start, word.start + MAX_WORD_S * len(tail)))
        return None

    def heard_before_gap(self, words: Sequence[WordTiming]) -> int | None:
        """How many of an unfinished window's last segment's words to keep: those before the first of its last
        STRETCH_WORDS words that follows TAIL_SPEECH_S of clear speech no word covers; None where none does.

        Such words were slid past speech the decoder left out: base, on programme 2's second hearing of jfk.flac,
        ended its text at "...can do for you, ask what you" with no closing timestamp; the alignment put "ask" 3.4 s
        after "you," (past "ask what you can do for your country") and "what you" at the window's end, the next
        window began there, and "what you can do for your country" was lost. Heard again from the end of "you,",
        the next window writes the rest of the line.
        """
        if self.gate is None or self.gate.threshold is None:
            return None
        for index in range(max(1, len(words) - STRETCH_WORDS), len(words)):
            start, end = words[index - 1].end, words[index].start
            if end - start >= TAIL_SPEECH_S and self.gate.voiced_seconds(start, end) >= TAIL_SPEECH_S:
                return index
        return None

    def unheard_tail(self, pieces: Sequence, flags: dict[int, list[bool]], kept: Sequence, seek: int,
                     advance: int) -> float | None:
        """Where the next window starts (seconds) when this one's text ends in words it is sure of that Silero
        missed: None where it does not.

        Such words may lead into speech that only the next window holds, where :func:`leads_into_speech` would keep
        them. base ended a window of programme 6 on mfa_cold_corpus.wav's last lines under the noise bed ("And here's a
        long pause. And I think it's probably good.", mean probability 0.86, Silero 0.00-0.001); the next window began
        after them with "all right, thanks", which Silero heard, and the gate had dropped eleven spoken words. The run
        (at least LEAD_WORDS words, no pause in it longer than LEAD_GAP_S, mean probability SURE_WORDS) must end
        within LEAD_GAP_S of where the next window would start, and start at least TAIL_PROGRESS_S into this window,
        so that every window moves on.
        """
        words = [w for i in sorted(flags) for w in pieces[i].words]
        heard = [f for i in sorted(flags) for f in flags[i]]
        first = len(words)  # the run is words[first:]: unheard, no pause in it over LEAD_GAP_S
        while first > 0 and not heard[first - 1] and (first == len(words) or words[first].start - words[first - 1].end <= LEAD_GAP_S):
            first -= 1
        run = words[first:]
        if not _sure_run(run) or (seek + advance) / FRAMES_PER_SECOND - run[-1].end > LEAD_GAP_S:
            return None
        start = run[0].start - WORD_PAD_S
        if first > 0 and heard[first - 1]:
            start = max(start, words[first - 1].end)  # never before the heard word before them
        if (any(piece.end > start for piece in kept) or start - seek / FRAMES_PER_SECOND < TAIL_PROGRESS_S
                or start >= (seek + advance) / FRAMES_PER_SECOND):  # the next window starts before them anyway
            return None
        return start

    def resume_before_heard_tail(self, ends: Sequence[float], seek: int, advance: int) -> int:
        """Where the next window starts (mel frames after ``seek``): at the end of this window's last text instead,
        where the window would skip more than TAIL_SPEECH_S of clear speech after it.

        Whisper may end a window's text early and close it (one timestamp at the end), and the next window then
        starts 30 s on: base with beam 5 wrote pyannote_sample.wav's last line at 508-514 s of the long-form
        programme and closed the window, so the 23 s of mfa_cold_corpus.wav after it were never decoded.
        """
        if self.gate is None or self.gate.threshold is None or not ends:
            return advance
        last = max(ends)  # never before text already given, whatever order its segments came in
        resume = round(last * FRAMES_PER_SECOND) - seek
        if not 0 < resume < advance:
            return advance
        start, end = last, (seek + advance) / FRAMES_PER_SECOND
        skipped = self.gate.voiced_seconds(start, end)
        return resume if skipped >= TAIL_SPEECH_S else advance

    def _misplaced(self, untimed, timed) -> bool:
        """Whether the alignment's word times for a segment are to be distrusted in favour of its own timestamps.

        Neither is always right. tiny.en with a prompt on pyannote_sample.wav piled a 0–12.2 s segment's words
        at 27.2–30 s, most of them zero seconds long (an anomalous placement); base on the same file stamped
        the first six segments 0–6 s, in the silence before anyone speaks, while the alignment put their words
        on the speech at 6.7–14 s (tiny.en did the same 18 s off in the long-form programme, with words short
        enough to look anomalous). So where the voice-activity model hears speech under one and not the other,
        that one wins; otherwise words that look spoken are trusted.
        """
        words = timed.words
        if self.gate is not None:
            under_stamps = self.gate.clear_speech(untimed.start, untimed.end)
            under_words = self.gate.clear_speech(words[0].start, words[-1].end)
            if under_stamps != under_words:
                return under_stamps
        return is_anomalous(words)

    def _repair(self, untimed: list, timed: list, alive: list[int], advance: int,
                timed_advance: int) -> tuple[list, int, set[int]]:
        """Stray words the alignment misplaced go back inside their segment (where clear speech is, if the
        voice-activity model is on) unless other segments' words already cover that stretch: then the
        timestamps are what is wrong (base on pyannote_sample.wav ran its stamps 6.7 s early and invented three
        lines for the time it thought was left; their words fell past the end of the audio, where they belong).
        The next window starts by the timestamps when the last segment was re-timed, or its words end more
        than STRAY_S after its own end and are misplaced. Also returns the indices re-timed."""
        stray_ones = [i for i in alive if stray(untimed[i].start, untimed[i].end, timed[i].words)
                      and self._misplaced(untimed[i], timed[i])]
        claimed = [(w.start, w.end) for i in alive if i not in stray_ones for w in timed[i].words]
        timed, repaired = list(timed), set()
        for i in stray_ones:
            before, after = untimed[i], timed[i]
            # Only between its neighbours' words: a segment re-timed before words of the text ahead of it would
            # come out of order and send the next window back (base int8, sampling at 0.6 on the long-form
            # programme, put a line 7 s before the four lines that precede it, and the next window decoded them again).
            low = max([before.start] + [timed[j].words[-1].end for j in alive if j < i and timed[j].words])
            high = min([before.end] + [timed[j].words[0].start for j in alive
                                       if j > i and j not in stray_ones and timed[j].words])
            start, end = self.gate.speech_bounds(before.start, before.end) if self.gate else (before.start, before.end)
            if uncovered(start, end, claimed) < 0.5 * (end - start):
                continue
            start, end = max(start, low), min(end, high)
            if end - start < MIN_WORD_S * len(after.words):
                continue
            timed[i] = dataclasses.replace(after, start=start, end=end, words=spread(after.words, start, end))
            repaired.add(i)
        last = next((i for i in reversed(alive) if timed[i].words), None)
        if last is not None and (last in repaired or (
                last not in stray_ones and timed[last].words[-1].end > untimed[last].end + STRAY_S
                and self._misplaced(untimed[last], timed[last]))):
            timed_advance = advance
        return timed, timed_advance, repaired

    def _place_slipped(self, untimed: list, timed: list, alive: list[int], fixed: set[int], last_speech: float) -> list:
        """Words the alignment slid off their speech go back onto it rather than to the speech gate.

        base with beam search on the long-form programme stamped "left and so my fellow Americans..." from
        397.3 s, where "left" is said, but the alignment put "left and" at 414 s, inside the noise before "so"
        at 417.4 s, and the gate dropped a spoken word. A run of words without speech at the start of a segment
        (or the whole segment) is placed on the first stretch of clear speech after the segment's start stamp
        that no kept word holds; a run at its end on the last such stretch before its end stamp. Where there is
        no such stretch, the gate drops the words as before. Segments in ``fixed`` keep their times.
        """
        timed = list(timed)
        flags = {i: self.gate.word_flags(timed[i].words) for i in alive if timed[i].words}
        claimed = [(w.start, w.end) for i, heard in flags.items() for w, h in zip(timed[i].words, heard) if h]
        previous_end = last_speech
        for i in alive:
            if i not in flags:
                continue
            words, heard = list(timed[i].words), flags[i]
            if all(heard) or i in fixed:
                previous_end = words[-1].end
                continue
            on_speech = [k for k, h in enumerate(heard) if h]
            runs = []  # (first, last + 1, region start, region end, from the start of the region?)
            if not on_speech:
                runs.append((0, len(words), max(untimed[i].start, previous_end), untimed[i].end, True))
            else:
                if on_speech[0] > 0:
                    runs.append((0, on_speech[0], max(untimed[i].start, previous_end), words[on_speech[0]].start, True))
                if on_speech[-1] < len(words) - 1:
                    # Up to its end stamp, or as far as the run's words could reach right after the last heard one:
                    # the stamp may end before it (tiny.en stamped "...behind the curtain on the left" to end before
                    # "the", and put "left" at no length in the noise after the clip).
                    after = words[on_speech[-1]].end
                    reach = min(after + MAX_WORD_S * (len(words) - 1 - on_speech[-1]), self._next_words_start(timed, alive, i))
                    runs.append((on_speech[-1] + 1, len(words), after, max(untimed[i].end, reach), False))
            for first, last, low, high, forward in runs:
                place = self._free_speech(low, high, claimed, last - first, forward)
                if place is not None:
                    words[first:last] = spread(words[first:last], *place)
                    claimed.append(place)
            if words != list(timed[i].words):
                timed[i] = dataclasses.replace(timed[i], start=words[0].start, end=words[-1].end, words=tuple(words))
            previous_end = max(previous_end, words[-1].end)
        return timed

    @staticmethod
    def _next_words_start(timed: list, alive: list[int], i: int) -> float:
        """Where the words of the next kept segment after ``i`` begin (infinity: none)."""
        return next((timed[j].words[0].start for j in alive if j > i and timed[j].words), math.inf)

    def _free_speech(self, low: float, high: float, claimed: list[tuple[float, float]], n_words: int,
                     forward: bool) -> tuple[float, float] | None:
        """Where ``n_words`` slipped words go in [low, high]: the first (or last) stretch of clear speech no kept
        word holds that is long enough for them, at most MAX_WORD_S a word."""
        if high - low < MIN_WORD_S * n_words:
            return None
        free = [part for a, b in self.gate.voiced(low, high) for part in free_parts(a, b, claimed)]
        fitting = [(a, b) for a, b in free if b - a >= MIN_WORD_S * n_words]
        if not fitting:
            return None
        a, b = fitting[0] if forward else fitting[-1]
        longest = MAX_WORD_S * n_words
        return (a, min(b, a + longest)) if forward else (max(a, b - longest), b)

    def jumps_over_speech(self, pieces: Sequence, other: Sequence) -> bool:
        """Whether a decode's pieces jump over clear speech in which another decode of the same window writes text:
        a gap of at least SKIPPED_S between two of its pieces, or after its last piece up to the other's last end,
        SKIPPED_SPEECH_S of it clear speech.

        base, prompted, wrote jfk's line (heard before in the programme) and went on to the next clip, leaving out
        LDC93S1.wav's line between them; without the prompt it wrote both lines. Both replay jfk's line, and the
        prompted decode is kept unless it jumps over speech this way: where the two differ only in how they write
        the same speech, the prompted one is usually the better (tiny.en without the prompt wrote more words of a
        congested voice under a noise bed, "the six-fourpets", where the prompted decode wrote "the sick purpose").
        The tail counts too: tiny.en, prompted, stopped programme 6's window at "...you know there's some" (stamped to
        484.9 s) where the decode without the prompt went on to 491.6 s ("...speech errors, but the cares. This is me
        talking really slow"); the alignment stretched "there's some" to 488.0 s, the next window began there, and
        "speech errors but who cares um this is me" was lost.
        """
        if self.gate is None or self.gate.threshold is None:
            return False
        if pieces and other and other[-1].end > pieces[-1].end and self._speech_left_out(pieces[-1].end, other[-1].end):
            return True
        return any(any(p.start < after.start and p.end > before.end for p in other)
                   and self._speech_left_out(before.end, after.start)
                   for before, after in zip(pieces, pieces[1:]))

    def left_out(self, texts: Sequence[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
        """The stretches of a chunk [start, end) that its texts ((start, end) each) leave out: at least SKIPPED_S
        long, SKIPPED_SPEECH_S of them clear speech. The batched mode decodes each again as a chunk of its own.

        A chunk has no next window to pick up what its decode left out, as the sequential mode's windows do:
        tiny.en, batched, wrote nothing of LDC93S1.wav's line or of "Oh, I'm originally from Chicago also..." in
        the chunks that held them. A chunk with no text at all was judged silence or invented text as a whole,
        and is not decoded again.
        """
        if not texts or not self.options.redecode_skipped or self.gate is None or self.gate.threshold is None:
            return []
        stretches, at = [], start
        for text_start, text_end in [*sorted(texts), (end, end)]:
            if self._speech_left_out(at, text_start):
                stretches.append((at, text_start))
            at = max(at, text_end)
        return stretches

    def _speech_left_out(self, start: float, end: float) -> bool:
        """Whether [start, end), which no text covers, is SKIPPED_S or longer with SKIPPED_SPEECH_S of clear speech."""
        return end - start >= SKIPPED_S and self.gate.voiced_seconds(start, end) >= SKIPPED_SPEECH_S

    def _skipped_opening(self, kept: Sequence, seek: int) -> int | None:
        """The frames of a shorter window to decode instead, when this one's text starts only after clear speech.

        Whisper may leave out what it cannot make sense of and go on to what it can: tiny.en, on a window that
        began with the end of a congested voice under a noise bed and then LDC93S1.wav, wrote only the clip after
        them, its first word 12 s in, and the 20 words before it were never decoded. Decoded alone, up to where the
        text starts, the skipped speech gets its own transcript; the next window starts there.
        """
        if not self.options.redecode_skipped or self.gate is None or self.gate.threshold is None:
            return None
        first = next((p.words[0].start for p in kept if p.words), None)
        if first is None:
            return None
        start, cut = seek / FRAMES_PER_SECOND, first - WORD_PAD_S
        return round(cut * FRAMES_PER_SECOND) - seek if self._speech_left_out(start, cut) else None

    def _report(self, dropped: Sequence[Dropped]) -> None:
        if self.on_dropped is not None:
            for d in dropped:
                self.on_dropped(d)

    def _word_flags(self, pieces: Sequence, reasons: Sequence[str | None], spread_out: set[int]) -> dict[int, list[bool]]:
        """Which words have speech, per piece the gate judges by its word times: :meth:`SpeechGate.word_flags`
        per piece, then :func:`leads_into_speech` over the window's words, across its pieces."""
        if self.gate is None or self.gate.threshold is None:
            return {}
        judged = [i for i, reason in enumerate(reasons) if reason is None and i not in spread_out and pieces[i].words]
        per_piece = {i: self.gate.word_flags(pieces[i].words) for i in judged}
        words = [w for i in judged for w in pieces[i].words]
        flat = leads_into_speech(words, [f for i in judged for f in per_piece[i]])
        out, at = {}, 0
        for i in judged:
            out[i], at = flat[at: at + len(per_piece[i])], at + len(per_piece[i])
        return out

    def apply(self, pieces: list, texts: list[str], repetitive: bool, advance: int, seek: int, size: int, complete: bool,
              duration: float, timestamp_begin: int, add_words: Callable[[list[bool]], tuple[list, int]] | None,
              last_speech: float, may_shorten: bool = False, resumes_after: bool = False) -> GuardedWindow:
        """The guards on one window's pieces. ``may_shorten``: a window whose text starts after speech it left out
        comes back with ``redo`` and the ``size`` to decode instead (nothing reported or remembered of it).
        ``resumes_after``: the next window starts where this one's text ends (sequential decoding, not the batched
        mode's fixed chunks), so an unfinished window's last words after unheard speech are left to it."""
        mark = self.repetition.mark()
        reasons = self.repetition.filter(texts, repetitive)
        alive = [i for i, r in enumerate(reasons) if r in (None, "replay")]
        untimed = pieces
        spread_out: set[int] = set()  # pieces whose words were re-timed by length
        if add_words is not None:
            timed, timed_advance = add_words([r in (None, "replay") for r in reasons])
            if self.options.repair_word_times:
                timed, timed_advance, spread_out = self._repair(pieces, timed, alive, advance, timed_advance)
            pieces, advance = timed, timed_advance
        threshold = self.options.hallucination_silence_threshold
        if threshold is not None and add_words is not None:
            skip = silence_skip([(pieces[i].start, pieces[i].end, pieces[i].words) for i in alive], threshold,
                                seek / FRAMES_PER_SECOND, size / FRAMES_PER_SECOND, last_speech, complete, duration)
            if skip.seek_s is not None:
                advance = max(1, round(skip.seek_s * FRAMES_PER_SECOND) - seek)
            if skip.redo:
                self._report([Dropped("silence-skip", pieces[i].start, pieces[i].end, texts[i]) for i in alive])
                return GuardedWindow([], [], advance, clean=False, redo=True, last_speech=last_speech)
            for i in alive[skip.keep:]:
                reasons[i] = "silence-skip"
        if add_words is not None and self.gate is not None and self.gate.threshold is not None:
            # Not a replay candidate (replayed text must be heard where its own words are, or it goes), nor words
            # already re-timed by length.
            fixed = spread_out | {i for i in alive if reasons[i] is not None}
            pieces = self._place_slipped(untimed, pieces, [i for i in alive if reasons[i] in (None, "replay")], fixed,
                                         last_speech)
        flags = self._word_flags(pieces, reasons, spread_out) if add_words is not None else {}
        kept, kept_texts, dropped = [], [], []
        for index, (piece, text, reason) in enumerate(zip(pieces, texts, reasons)):
            verdict = judge_segment(piece.start, piece.end, text, piece.words, reason, self.gate, self.options.drop_fillers,
                                    timed=index not in spread_out, flags=flags.get(index))
            dropped.extend(verdict.dropped)
            if not verdict.keep:
                continue
            if verdict.words != tuple(piece.words):
                piece = _with_words(piece, verdict.words, timestamp_begin)
                text = "".join(w.word for w in verdict.words)
            kept.append(piece)
            kept_texts.append(text)
        shorter = self._skipped_opening(kept, seek) if may_shorten and add_words is not None else None
        if shorter is not None:
            self.repetition.rewind(mark)
            return GuardedWindow([], [], advance, clean=False, redo=True, size=shorter)
        heard = (self.heard_before_gap(kept[-1].words)
                 if kept and resumes_after and not complete and add_words is not None else None)
        trimmed = heard is not None and kept[-1].words[heard - 1].end * FRAMES_PER_SECOND - seek >= 1
        if trimmed:
            kept[-1] = _with_words(kept[-1], kept[-1].words[:heard], timestamp_begin)
            kept_texts[-1] = "".join(w.word for w in kept[-1].words)
            advance = round(kept[-1].end * FRAMES_PER_SECOND) - seek  # the words after the gap are heard again
        tail = self.unheard_tail(pieces, flags, kept, seek, advance) if resumes_after and flags and not trimmed else None
        if tail is not None:  # heard again by the next window, which starts before them: not reported here
            advance = round(tail * FRAMES_PER_SECOND) - seek
            dropped = [d for d in dropped if d.reason != "no-speech" or d.end <= tail]
        self._report(dropped)
        clean = not dropped
        self.repetition.commit(kept_texts)
        if (clean and not trimmed) or add_words is None:
            return GuardedWindow(kept, kept_texts, advance, clean)
        speech_end = next((p.words[-1].end for p in reversed(kept) if p.words), last_speech)
        return GuardedWindow(kept, kept_texts, advance, clean, last_speech=speech_end)


def _with_words(piece, words: tuple[WordTiming, ...], timestamp_begin: int):
    """A piece cut down to some of its words: their tokens between the piece's own timestamps."""
    stamps = [t for t in piece.tokens if t >= timestamp_begin]
    tokens = stamps[:1] + [t for w in words for t in w.tokens] + stamps[1:][-1:]
    return dataclasses.replace(piece, start=words[0].start, end=words[-1].end, tokens=tuple(tokens), words=words)
