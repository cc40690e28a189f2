"""A finished transcription as the server keeps it: the info and the segments, losslessly as JSON.

The cache stores exactly what the engine produced (floats round-trip through JSON), so a
cached answer renders byte for byte like a fresh one.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from subtitler.asr.alignment import WordTiming
from subtitler.asr.transcribe import Segment, TranscriptionInfo

_SEGMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Segment))


@dataclass(frozen=True)
class TranscriptResult:
    task: str  # "transcribe" | "translate"
    info: TranscriptionInfo
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments).strip()

    def to_json(self) -> str:
        info = dataclasses.replace(self.info, language_probs=None)  # a hundred numbers nobody asks for again
        return json.dumps({"task": self.task, "info": dataclasses.asdict(info),
                           "segments": [_segment_dict(s) for s in self.segments]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TranscriptResult:
        """ValueError (or KeyError/TypeError) when the text was written by another version."""
        data = json.loads(text)
        segments = tuple(_segment_from_dict(d) for d in data["segments"])
        return cls(data["task"], TranscriptionInfo(**data["info"]), segments)


def _segment_dict(segment: Segment) -> dict:
    data = {name: getattr(segment, name) for name in _SEGMENT_FIELDS}
    data["tokens"] = list(segment.tokens)
    data["words"] = [dataclasses.asdict(w) for w in segment.words]
    return data


def _segment_from_dict(data: dict) -> Segment:
    if set(data) != _SEGMENT_FIELDS:
        raise ValueError(f"segment fields {sorted(set(data) ^ _SEGMENT_FIELDS)} differ from this version's")
    words = tuple(WordTiming(**{k: tuple(v) if isinstance(v, list) else v for k, v in w.items()}) for w in data["words"])
    return Segment(**dict(data, tokens=tuple(data["tokens"]), words=words))
