"""Turn `ffprobe -print_format json -show_format -show_streams` output into MediaInfo."""

from __future__ import annotations

from pathlib import Path

from subtitler.media.info import AudioStream, MediaInfo, VideoStream


def media_info_from_json(data: dict, path: Path) -> MediaInfo:
    """MediaInfo from ffprobe's parsed JSON (missing fields become defaults)."""
    fmt = data.get("format", {})
    streams = data.get("streams", [])
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [
        s for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    return MediaInfo(
        path=path,
        duration_s=_float(fmt.get("duration")),
        format_name=fmt.get("format_name"),
        audio_streams=tuple(_audio(s, i) for i, s in enumerate(audio)),
        video_streams=tuple(_video(s) for s in video),
    )


def _audio(s: dict, position: int) -> AudioStream:
    tags = {k.lower(): v for k, v in s.get("tags", {}).items()}
    lang = tags.get("language")
    return AudioStream(
        index=int(s.get("index", 0)),
        position=position,
        codec=s.get("codec_name", "unknown"),
        channels=int(s.get("channels", 0)),
        sample_rate=int(s.get("sample_rate", 0) or 0),
        language=lang if lang and lang != "und" else None,
        title=tags.get("title") or None,
    )


def _video(s: dict) -> VideoStream:
    return VideoStream(
        index=int(s.get("index", 0)),
        codec=s.get("codec_name", "unknown"),
        width=int(s.get("width", 0)),
        height=int(s.get("height", 0)),
        fps=_rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")),
    )


def _rate(text: str | None) -> float | None:
    if not text or "/" not in text:
        return None
    num, den = text.split("/", 1)
    return float(num) / float(den) if float(den) else None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
