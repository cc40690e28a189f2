"""Quality checks: each cue against a reading profile, with a proposed fix where one exists.

A fix is a replacement Cue for the finding's row, computed from the document as
checked; `fixes_for` combines several fixes of one row and `ApplyFixes` applies
them as one undoable step.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.reading_rules import DEFAULT_PROFILE, ReadingProfile, break_lines, cps, reading_length, text_length
from subtitler.core.timecode import format_timecode

ERROR, WARNING, INFO = "error", "warning", "info"
RULES = ("overlap", "empty_text", "too_short", "too_long", "too_fast", "line_too_long", "too_many_lines",
         "gap_too_small", "unbalanced_lines", "low_confidence", "shot_change")
SHOT_TOLERANCE_MS = 1  # shot times and snapped edges are the same whole milliseconds


@dataclass(frozen=True)
class Finding:
    """One problem in one cue (row is 0-based); `fix` is the proposed replacement cue, None when only a person can fix it."""

    row: int
    rule: str
    severity: str
    message: str
    fix: Cue | None = None


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds beyond the profile: word probability below `min_probability` is flagged; lines are unbalanced below `min_balance`.

    `shot_changes_ms` (sorted) are the video's cuts; a cue edge within `shot_change_window_ms` of one
    should sit on it: the start on the cut, the end the profile's minimum gap before it, as if the cut
    were the next cue (Netflix: within 12 frames, ~500 ms).
    """

    min_probability: float = 0.5
    min_balance: float = 0.5
    shot_changes_ms: tuple[int, ...] = ()
    shot_change_window_ms: int = 500


@dataclass(frozen=True)
class _Context:
    cues: Sequence[Cue]
    profile: ReadingProfile
    options: CheckOptions

    def next_start(self, row: int) -> int | None:
        return self.cues[row + 1].start_ms if row + 1 < len(self.cues) else None

    def earliest_start(self, row: int) -> int:
        """The earliest start the cue may have without crowding the previous one."""
        return self.cues[row - 1].end_ms + self.profile.min_gap_ms if row > 0 else 0

    def latest_end(self, row: int) -> float:
        """The latest end the cue may have without crowding the next one."""
        nxt = self.next_start(row)
        return math.inf if nxt is None else nxt - self.profile.min_gap_ms


def check(document: Document | Sequence[Cue], profile: ReadingProfile = DEFAULT_PROFILE,
          options: CheckOptions = CheckOptions()) -> list[Finding]:
    """Every finding for every cue, in row order."""
    cues = document.cues if isinstance(document, Document) else tuple(document)
    ctx = _Context(cues, profile, options)
    findings: list[Finding] = []
    for row in range(len(cues)):
        for rule in _CHECKS:
            found = rule(ctx, row)
            if found is not None:
                findings.append(found)
    return findings


def _overlap(ctx: _Context, row: int) -> Finding | None:
    cue, nxt = ctx.cues[row], ctx.next_start(row)
    if nxt is None or cue.end_ms <= nxt:
        return None
    end = max(cue.start_ms, nxt - ctx.profile.min_gap_ms)
    fix = replace(cue, end_ms=end) if end > cue.start_ms else None
    return Finding(row, "overlap", ERROR, f"overlaps the next cue by {cue.end_ms - nxt} ms", fix)


def _gap(ctx: _Context, row: int) -> Finding | None:
    cue, nxt = ctx.cues[row], ctx.next_start(row)
    if nxt is None or cue.end_ms > nxt:
        return None
    gap = nxt - cue.end_ms
    if gap >= ctx.profile.min_gap_ms:
        return None
    end = nxt - ctx.profile.min_gap_ms
    fix = replace(cue, end_ms=end) if end - cue.start_ms >= min(ctx.profile.min_duration_ms, cue.duration_ms) else None
    return Finding(row, "gap_too_small", WARNING, f"gap to the next cue is {gap} ms, below {ctx.profile.min_gap_ms} ms", fix)


def _empty(ctx: _Context, row: int) -> Finding | None:
    if ctx.cues[row].plain_text:
        return None
    return Finding(row, "empty_text", ERROR, "cue has no text; type some or delete the cue")


def _too_short(ctx: _Context, row: int) -> Finding | None:
    cue, minimum = ctx.cues[row], ctx.profile.min_duration_ms
    if cue.duration_ms >= minimum:
        return None
    end = min(cue.start_ms + minimum, ctx.latest_end(row))
    fix = replace(cue, end_ms=int(end)) if end > cue.end_ms else None
    room = "" if end >= cue.start_ms + minimum else " (the next cue leaves no room to lengthen it fully)"
    return Finding(row, "too_short", WARNING, f"shown {cue.duration_ms} ms, under the {minimum} ms minimum{room}", fix)


def _too_long(ctx: _Context, row: int) -> Finding | None:
    cue, maximum = ctx.cues[row], ctx.profile.max_duration_ms
    if cue.duration_ms <= maximum:
        return None
    speech_end = max((w.end_ms for w in cue.words), default=0)
    fix = replace(cue, end_ms=cue.start_ms + maximum) if speech_end <= cue.start_ms + maximum else None
    why = "" if fix else "; its speech lasts longer, so split it"
    return Finding(row, "too_long", WARNING, f"shown {cue.duration_ms} ms, over the {maximum} ms maximum{why}", fix)


def _too_fast(ctx: _Context, row: int) -> Finding | None:
    cue, profile = ctx.cues[row], ctx.profile
    rate = cps(cue.text, cue.duration_ms, profile)
    if rate <= profile.max_cps or not cue.plain_text:
        return None
    needed = math.ceil(reading_length(cue.text, profile) * 1000.0 / profile.max_cps)
    end = min(cue.start_ms + needed, ctx.latest_end(row))
    message = f"{rate:.1f} characters a second, over {profile.max_cps:g}"
    if end >= cue.start_ms + needed:
        return Finding(row, "too_fast", WARNING, message, replace(cue, end_ms=int(end)))
    room = int(end) - cue.start_ms
    why = (f"; reading it needs {needed} ms but only {room} ms are free before the next cue: "
           "shorten the text or merge it with a neighbour")
    return Finding(row, "too_fast", WARNING, message + why)


def _rewrapped(cue: Cue, profile: ReadingProfile) -> Cue | None:
    """The cue with its text rewrapped, if that makes every line fit."""
    text = break_lines(cue.text, profile)
    lines = text.split("\n")
    fits = len(lines) <= profile.max_lines and all(text_length(l, profile) <= profile.max_chars_per_line for l in lines)
    return replace(cue, text=text) if fits and text != cue.text else None


def _line_too_long(ctx: _Context, row: int) -> Finding | None:
    cue, profile = ctx.cues[row], ctx.profile
    longest = max(text_length(line, profile) for line in cue.lines)
    if longest <= profile.max_chars_per_line:
        return None
    fix = _rewrapped(cue, profile)
    why = "" if fix else "; too much text for the lines allowed, so split the cue"
    message = f"a line has {longest:g} characters, over {profile.max_chars_per_line}{why}"
    return Finding(row, "line_too_long", ERROR, message, fix)


def _too_many_lines(ctx: _Context, row: int) -> Finding | None:
    cue, profile = ctx.cues[row], ctx.profile
    count = len([line for line in cue.lines if line.strip()])
    if count <= profile.max_lines:
        return None
    fix = _rewrapped(cue, profile)
    why = "" if fix else "; split the cue"
    return Finding(row, "too_many_lines", ERROR, f"{count} lines, over {profile.max_lines}{why}", fix)


def _unbalanced(ctx: _Context, row: int) -> Finding | None:
    """Two lines where the shorter is under `min_balance` of the longer and a rewrap would do better."""
    cue, profile = ctx.cues[row], ctx.profile
    lines = [line.strip() for line in cue.lines if line.strip()]
    if len(lines) != 2:
        return None
    short, long_ = sorted(text_length(line, profile) for line in lines)
    if short >= ctx.options.min_balance * long_:
        return None
    fix = _rewrapped(cue, profile)
    if fix is None or _balance(fix, profile) <= short / long_:
        return None
    return Finding(row, "unbalanced_lines", INFO, f"lines of {short:g} and {long_:g} characters; balance them", fix)


def _balance(cue: Cue, profile: ReadingProfile) -> float:
    sizes = sorted(text_length(line.strip(), profile) for line in cue.lines if line.strip())
    return sizes[0] / sizes[-1] if len(sizes) > 1 and sizes[-1] else 1.0


def _low_confidence(ctx: _Context, row: int) -> Finding | None:
    limit = ctx.options.min_probability
    doubtful = [w.text.strip() for w in ctx.cues[row].words if w.probability is not None and w.probability < limit]
    if not doubtful:
        return None
    shown = ", ".join(repr(t) for t in doubtful[:5]) + (" ..." if len(doubtful) > 5 else "")
    return Finding(row, "low_confidence", INFO, f"{len(doubtful)} word(s) recognised with probability under {limit:g}: {shown}")


def nearest_within(sorted_times: Sequence[int], ms: int, window_ms: int) -> int | None:
    """The time in `sorted_times` nearest to `ms`, if it is no further than `window_ms`."""
    i = bisect_left(sorted_times, ms)
    near = [t for t in sorted_times[max(0, i - 1) : i + 1] if abs(t - ms) <= window_ms]
    return min(near, key=lambda t: abs(t - ms)) if near else None


def _shot_change(ctx: _Context, row: int) -> Finding | None:
    """Edges near a cut move onto it, where the neighbours leave room (a fix that would crowd them is not proposed)."""
    shots, window, gap = ctx.options.shot_changes_ms, ctx.options.shot_change_window_ms, ctx.profile.min_gap_ms
    if not shots:
        return None
    cue = ctx.cues[row]
    start, end, notes = cue.start_ms, cue.end_ms, []
    cut = nearest_within(shots, cue.start_ms, window)
    if cut is not None and abs(cut - start) > SHOT_TOLERANCE_MS and ctx.earliest_start(row) <= cut < end:
        notes.append(f"starts {abs(cut - start)} ms {'after' if start > cut else 'before'} a shot change at {format_timecode(cut)}; start on it")
        start = cut
    cut = nearest_within(shots, cue.end_ms + gap, window)
    if cut is not None and abs(cut - gap - end) > SHOT_TOLERANCE_MS and start < cut - gap <= ctx.latest_end(row):
        notes.append(f"ends {abs(cut - gap - end)} ms {'late' if end > cut - gap else 'early'} for the shot change at "
                     f"{format_timecode(cut)}; end {gap} ms before it")
        end = cut - gap
    if not notes:
        return None
    return Finding(row, "shot_change", INFO, "; ".join(notes), replace(cue, start_ms=start, end_ms=end))


_CHECKS: tuple[Callable[[_Context, int], Finding | None], ...] = (
    _empty, _overlap, _too_short, _too_long, _too_fast, _line_too_long, _too_many_lines, _gap, _unbalanced, _low_confidence,
    _shot_change,
)


def fixes_for(document: Document | Sequence[Cue], findings: Iterable[Finding]) -> dict[int, Cue]:
    """One replacement per row combining its fixes: text from text fixes, the latest proposed end from time fixes,
    the start from the (only) fix that moves it.

    Every time fix already keeps the minimum gap to the next cue, so the latest end is safe and serves them all.
    """
    cues = document.cues if isinstance(document, Document) else tuple(document)
    out: dict[int, Cue] = {}
    for finding in findings:
        if finding.fix is None:
            continue
        original, fix = cues[finding.row], finding.fix
        current = out.get(finding.row, original)
        if fix.text != original.text:
            current = replace(current, text=fix.text)
        if fix.start_ms != original.start_ms:
            current = replace(current, start_ms=fix.start_ms)
        if fix.end_ms != original.end_ms:
            end = fix.end_ms if current.end_ms == original.end_ms else max(current.end_ms, fix.end_ms)
            current = replace(current, end_ms=end)
        out[finding.row] = current
    return out
