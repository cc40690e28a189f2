"""Reading rules: how much text a viewer can read, as data (profiles), plus line breaking.

Built-in profiles follow the Netflix timed-text style guides, which most
broadcasters' rules resemble:
- English: 42 characters a line, 2 lines, 20 cps for adults (17 cps for
  children's programmes; we default to the stricter 17, the lower end of the
  DESIGN range), 5/6 s minimum, 7 s maximum, 2 frames (83 ms at 24 fps) gap.
- Simplified Chinese: 16 characters a line, 9 cps; Japanese: 13 full-width
  characters a line, 4 cps (Japanese reading speed is counted in full-width
  characters); Korean: 16 characters a line, 12 cps. Durations and gaps as English.
Characters per second count every character of the text except line breaks
(spaces and punctuation included), as Netflix's tools do.
Two speakers in one cue get one line each, each line starting with a hyphen
and no space ("-Hi.\n-Hello."), as the Netflix English guide asks; other
conventions (a hyphen and a space, or a dash on the second line only) are a
profile's `dialogue_dash` and `dash_first_line`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from subtitler.core.word_diff import is_cjk


@dataclass(frozen=True)
class ReadingProfile:
    """Limits one cue should meet; `count_by` is 'chars' (every character 1) or 'width' (full-width 1, half-width 0.5)."""

    name: str
    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    min_duration_ms: int = 833
    max_duration_ms: int = 7000
    min_gap_ms: int = 83
    count_by: str = "chars"
    dialogue_dash: str = "-"  # starts each speaker's line in a two-speaker cue
    dash_first_line: bool = True  # False: only the second speaker's line gets the dash

    def __post_init__(self) -> None:
        if self.count_by not in ("chars", "width"):
            raise ValueError(f"count_by must be 'chars' or 'width', not {self.count_by!r}")
        if "\n" in self.dialogue_dash:
            raise ValueError("dialogue_dash must not contain a line break")

    def dialogue(self, first: str, second: str) -> str:
        """A two-speaker cue's text: one line per speaker with the profile's dashes."""
        return f"{self.dialogue_dash if self.dash_first_line else ''}{first}\n{self.dialogue_dash}{second}"


PROFILES: dict[str, ReadingProfile] = {
    p.name: p
    for p in (
        ReadingProfile("en"),
        ReadingProfile("en-20", max_cps=20.0),
        ReadingProfile("zh", max_chars_per_line=16, max_cps=9.0),
        ReadingProfile("ja", max_chars_per_line=13, max_cps=4.0, count_by="width"),
        ReadingProfile("ko", max_chars_per_line=16, max_cps=12.0),
    )
}
DEFAULT_PROFILE = PROFILES["en"]
LANGUAGE_PROFILES = {"zh": "zh", "ja": "ja", "ko": "ko"}


def get_profile(name: str) -> ReadingProfile:
    """Profile by name; ValueError listing the known names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown reading profile {name!r} (known: {', '.join(PROFILES)})") from None


def profile_for_language(language: str | None) -> ReadingProfile:
    """The built-in profile suited to a language code (English rules for alphabetic scripts)."""
    return PROFILES[LANGUAGE_PROFILES.get((language or "").split("-")[0].lower(), "en")]


def text_length(text: str, profile: ReadingProfile = DEFAULT_PROFILE) -> float:
    """Length of one line as the profile counts it."""
    if profile.count_by == "chars":
        return float(len(text))
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5 for c in text)


def reading_length(text: str, profile: ReadingProfile = DEFAULT_PROFILE) -> float:
    """Characters a viewer reads: all lines, line breaks not counted."""
    return sum(text_length(line.strip(), profile) for line in text.split("\n"))


def cps(text: str, duration_ms: int, profile: ReadingProfile = DEFAULT_PROFILE) -> float:
    """Characters per second; infinite for a cue with text and no duration."""
    length = reading_length(text, profile)
    if duration_ms <= 0:
        return float("inf") if length else 0.0
    return length * 1000.0 / duration_ms


def units(text: str) -> list[tuple[str, bool]]:
    """Breakable pieces of text as (piece, space_before): words, or single characters in CJK runs."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        buf, first = "", True
        for char in word:
            if buf and (is_cjk(char) or is_cjk(buf[-1])) and not _attaches(char):
                out.append((buf, first))
                buf, first = "", False
            buf += char
        out.append((buf, first))
    return _attach_punctuation(out)


def _attaches(char: str) -> bool:
    """Closing punctuation stays with the character before it (no line may start with it)."""
    return unicodedata.category(char) in ("Po", "Pe", "Pf") and char not in "¿¡"


def _attach_punctuation(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for piece, space in pieces:
        if out and not space and all(_attaches(c) for c in piece):
            out[-1] = (out[-1][0] + piece, out[-1][1])
        else:
            out.append((piece, space))
    return out


def join_units(pieces: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + piece for i, (piece, space) in enumerate(pieces))


# Words a line should not end with (Netflix: do not separate an article or preposition from its word).
WEAK_LINE_ENDS = frozenset(
    "a an the of to in on at by for with from and or but that as if than your my his her its our their "
    "can could will would shall should must may might".split()
)
PUNCT_BONUS = 6.0  # a break after punctuation is worth this many characters of imbalance
WEAK_PENALTY = 4.0


def break_lines(text: str, profile: ReadingProfile = DEFAULT_PROFILE) -> str:
    """Rewrap text into as few lines as fit (at most max_lines when possible), balanced, breaking after punctuation."""
    pieces = units(text)
    if not pieces:
        return ""
    whole = join_units(pieces)
    if text_length(whole, profile) <= profile.max_chars_per_line or len(pieces) == 1:
        return whole
    for n in range(2, max(profile.max_lines, 2) + 1):
        lines = _best_partition(pieces, n, profile, strict=True)
        if lines is not None:
            return "\n".join(lines)
    return "\n".join(_best_partition(pieces, max(profile.max_lines, 2), profile, strict=False) or [whole])


def _line_cost(length: float, last_piece: str, target: float, is_last: bool, profile: ReadingProfile, strict: bool) -> float:
    over = max(0.0, length - profile.max_chars_per_line)
    if over and strict:
        return float("inf")
    cost = (length - target) ** 2 + 1000.0 * over
    if not is_last:
        if last_piece[-1:] in ",.;:!?、。，！？…":
            cost -= PUNCT_BONUS * abs(target) / 2
        elif last_piece.lower() in WEAK_LINE_ENDS:
            cost += WEAK_PENALTY * abs(target) / 2
    return cost


class _Widths:
    """Prefix sums so the width of any run of pieces joined into a line is O(1)."""

    def __init__(self, pieces: list[tuple[str, bool]], profile: ReadingProfile) -> None:
        space = text_length(" ", profile)
        self.text, self.spaces = [0.0], [0.0]
        for piece, before in pieces:
            self.text.append(self.text[-1] + text_length(piece, profile))
            self.spaces.append(self.spaces[-1] + (space if before else 0.0))

    def line(self, start: int, end: int) -> float:
        """Width of pieces[start:end] on one line (the space before the first piece is not shown)."""
        return self.text[end] - self.text[start] + self.spaces[end] - self.spaces[start + 1]


def _best_partition(pieces: list[tuple[str, bool]], n: int, profile: ReadingProfile, strict: bool) -> list[str] | None:
    """Split pieces into exactly n non-empty lines at least cost (dynamic programming over break points)."""
    count = len(pieces)
    if n > count:
        return None
    widths = _Widths(pieces, profile)
    target = widths.line(0, count) / n
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for k in range(1, n + 1):
        for end in ([count] if k == n else range(k, count - (n - k) + 1)):
            options = []
            for start in range(k - 1, end):
                prev = best.get((start, k - 1))
                if prev is None or prev[0] == float("inf"):
                    continue
                cost = _line_cost(widths.line(start, end), pieces[end - 1][0], target, k == n, profile, strict)
                options.append((prev[0] + cost, start))
            if options:
                best[(end, k)] = min(options)
    final = best.get((count, n))
    if final is None or final[0] == float("inf"):
        return None
    cuts, end = [], count
    for k in range(n, 0, -1):
        start = best[(end, k)][1]
        cuts.append(join_units(pieces[start:end]))
        end = start
    return cuts[::-1]
