"""What probing a media file tells us (re-exported by probe.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AudioStream:
    """One audio track. `position` is what decode's `audio_stream` argument takes."""

    index: int  # ffmpeg stream index within the file (video streams count too)
    position: int  # nth audio stream, 0-based
    codec: str
    channels: int
    sample_rate: int
    language: str | None
    title: str | None

    @property
    def label(self) -> str:
        """Short text for a track menu, e.g. 'Track 2: deu, Commentary (aac, 5.1 ch)'."""
        names = ", ".join(x for x in (self.language, self.title) if x)
        detail = f"{self.codec}, {self.channels} ch, {self.sample_rate} Hz"
        return f"Track {self.position + 1}: {names} ({detail})" if names else f"Track {self.position + 1} ({detail})"


@dataclass(frozen=True)
class VideoStream:
    """One video stream (cover art pictures are not listed)."""

    index: int
    codec: str
    width: int
    height: int
    fps: float | None


@dataclass(frozen=True)
class MediaInfo:
    """The streams and duration of one media file."""

    path: Path
    duration_s: float | None
    format_name: str | None
    audio_streams: tuple[AudioStream, ...]
    video_streams: tuple[VideoStream, ...]

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_streams)

    @property
    def has_video(self) -> bool:
        return bool(self.video_streams)
