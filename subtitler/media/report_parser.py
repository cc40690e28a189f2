"""Parse the stream report `ffmpeg -hide_banner -i FILE` prints on stderr.

Needed because the imageio-ffmpeg wheel has no ffprobe. The report is meant
for humans, so the parser is lenient: a field it cannot read becomes a default
rather than an error, and only the stream lines of input #0 matter.
"""

from __future__ import annotations

import re
from pathlib import Path

from subtitler.media.info import AudioStream, MediaInfo, VideoStream

_INPUT = re.compile(r"^Input #0, (?P<format>.+?), from ")
_DURATION = re.compile(r"^\s*Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")
_STREAM = re.compile(
    r"^(?P<indent>\s*)Stream #0[:.](?P<index>\d+)(?:\[0x[0-9a-fA-F]+\])?(?:\((?P<lang>[^)]*)\))?"
    r"(?:\[0x[0-9a-fA-F]+\])?: (?P<kind>\w+): (?P<desc>.*)$"
)
_META = re.compile(r"^\s*(?P<key>[^:]+?)\s*: (?P<value>.*)$")
_NAMED_LAYOUTS = {
    "mono": 1, "stereo": 2, "downmix": 2, "quad": 4, "hexagonal": 6, "octagonal": 8,
    "hexadecagonal": 16, "cube": 8, "binaural": 2,
}


def parse_ffmpeg_report(text: str, path: Path) -> MediaInfo | None:
    """MediaInfo from ffmpeg's stderr, or None when ffmpeg did not open the file as input #0."""
    lines = text.splitlines()
    header = next((m for m in map(_INPUT.match, lines) if m), None)
    if header is None:
        return None
    audio: list[AudioStream] = []
    video: list[VideoStream] = []
    for i, line in enumerate(lines):
        m = _STREAM.match(line)
        if not m:
            continue
        kind, desc, index = m["kind"], m["desc"], int(m["index"])
        if kind == "Audio":
            meta = _stream_metadata(lines, i + 1, len(m["indent"]))
            audio.append(_audio(index, len(audio), desc, m["lang"], meta.get("title")))
        elif kind == "Video" and "(attached pic)" not in desc:
            video.append(_video(index, desc))
    return MediaInfo(
        path=path,
        duration_s=_duration(lines),
        format_name=header["format"],
        audio_streams=tuple(audio),
        video_streams=tuple(video),
    )


def split_fields(desc: str) -> list[str]:
    """Split a stream description on top-level commas ('yuv420p(tv, bt709)' stays whole)."""
    fields, depth, start = [], 0, 0
    for i, ch in enumerate(desc):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            fields.append(desc[start:i].strip())
            start = i + 1
    fields.append(desc[start:].strip())
    return fields


def layout_channels(layout: str) -> int:
    """Channel count of an ffmpeg layout name: 'mono', '5.1(side)', '7.1', '2 channels', ..."""
    name = layout.strip().split("(")[0].strip().lower()
    if name in _NAMED_LAYOUTS:
        return _NAMED_LAYOUTS[name]
    m = re.fullmatch(r"(\d+) channels?", name)
    if m:
        return int(m[1])
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", name)
    if m:
        return sum(int(g) for g in m.groups() if g)
    return 0


def _duration(lines: list[str]) -> float | None:
    for line in lines:
        m = _DURATION.match(line)
        if m:
            return int(m["h"]) * 3600 + int(m["m"]) * 60 + float(m["s"])
    return None


def _stream_metadata(lines: list[str], start: int, indent: int) -> dict[str, str]:
    """The 'Metadata:' block under a stream line (keys lower-cased)."""
    meta: dict[str, str] = {}
    for line in lines[start:]:
        if len(line) - len(line.lstrip()) <= indent or _STREAM.match(line):
            break
        m = _META.match(line)
        if m:
            meta.setdefault(m["key"].strip().lower(), m["value"].strip())
    return meta


def _audio(index: int, position: int, desc: str, lang: str | None, title: str | None) -> AudioStream:
    fields = split_fields(desc)
    rate_at = next((i for i, f in enumerate(fields) if re.fullmatch(r"\d+ Hz", f)), None)
    sample_rate = int(fields[rate_at].split()[0]) if rate_at is not None else 0
    channels = layout_channels(fields[rate_at + 1]) if rate_at is not None and rate_at + 1 < len(fields) else 0
    return AudioStream(
        index=index,
        position=position,
        codec=_codec(fields[0]),
        channels=channels,
        sample_rate=sample_rate,
        language=_language(lang),
        title=title or None,
    )


def _video(index: int, desc: str) -> VideoStream:
    fields = split_fields(desc)
    size = next((m for m in (re.match(r"(\d+)x(\d+)", f) for f in fields) if m), None)
    fps = next((m for m in (re.fullmatch(r"(\d+(?:\.\d+)?)(k?) (?:fps|tbr)", f) for f in fields) if m), None)
    return VideoStream(
        index=index,
        codec=_codec(fields[0]),
        width=int(size[1]) if size else 0,
        height=int(size[2]) if size else 0,
        fps=float(fps[1]) * (1000 if fps[2] else 1) if fps else None,
    )


def _codec(field: str) -> str:
    return field.split()[0] if field.split() else "unknown"


def _language(lang: str | None) -> str | None:
    return lang if lang and lang.lower() not in ("und", "unknown") else None
