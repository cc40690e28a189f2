"""Find out what a media file holds: duration, audio tracks, video streams.

Uses ffprobe's JSON when ffprobe is installed, otherwise parses the report
`ffmpeg -i` prints (the imageio-ffmpeg wheel has no ffprobe).
"""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from subtitler.errors import MediaError
from subtitler.media.ffmpeg_binary import find_ffmpeg, find_ffprobe, input_url, no_console_flags
from subtitler.media.ffprobe_json import media_info_from_json
from subtitler.media.info import AudioStream, MediaInfo, VideoStream
from subtitler.media.report_parser import parse_ffmpeg_report
from subtitler.media.stderr import last_meaningful_line

__all__ = ["AudioStream", "MediaInfo", "VideoStream", "probe", "require_audio_stream"]

_TIMEOUT_S = 60


def probe(path: str | Path) -> MediaInfo:
    """Probe `path`; MediaError if it is missing or not a media file ffmpeg can open."""
    path = check_readable(path)
    ffprobe = find_ffprobe()
    return _probe_ffprobe(ffprobe, path) if ffprobe else _probe_ffmpeg(find_ffmpeg(), path)


def check_readable(path: str | Path) -> Path:
    """The path as a Path, or MediaError saying why it cannot be opened.

    Devices, pipes and sockets are refused: decoding opens the file more than once (probe,
    then decode), which a FIFO cannot give, and /dev/zero would decode forever.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise MediaError(f"{path}: file not found; check the path or choose the file again") from None
    except OSError as exc:
        raise MediaError(f"{path}: cannot be opened ({exc.strerror or exc}); rename or move it and choose it again") from None
    if stat.S_ISDIR(mode):
        raise MediaError(f"{path}: is a folder, not a media file; choose an audio or video file")
    if not stat.S_ISREG(mode):
        raise MediaError(f"{path}: is a device, pipe or socket, not a media file; save the media to a file first")
    return path


def require_audio_stream(info: MediaInfo, position: int) -> AudioStream:
    """The audio stream at `position`, or MediaError naming the file and its tracks."""
    if not info.has_audio:
        raise MediaError(
            f"{info.path}: has no audio stream, so there is nothing to transcribe or draw; "
            "choose a file with sound"
        )
    if not 0 <= position < len(info.audio_streams):
        count = len(info.audio_streams)
        which = "one audio track (number 0)" if count == 1 else f"{count} audio tracks (numbered 0 to {count - 1})"
        raise MediaError(f"{info.path}: has no audio track {position}; it has {which}")
    return info.audio_streams[position]


def _probe_ffmpeg(ffmpeg: str, path: Path) -> MediaInfo:
    stderr = _run([ffmpeg, "-nostdin", "-hide_banner", "-i", input_url(path)], path).stderr
    info = parse_ffmpeg_report(stderr, path)
    if info is None:
        raise _not_media(path, stderr)
    return info


def _probe_ffprobe(ffprobe: str, path: Path) -> MediaInfo:
    cmd = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", input_url(path)]
    done = _run(cmd, path)
    if done.returncode != 0:
        raise _not_media(path, done.stderr)
    try:
        return media_info_from_json(json.loads(done.stdout), path)
    except (ValueError, TypeError) as exc:
        raise MediaError(f"{path}: ffprobe gave an unreadable report ({exc}); update ffmpeg") from exc


def _run(cmd: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            creationflags=no_console_flags(),
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{path}: probing took over {_TIMEOUT_S} s; is the file on a slow or stalled drive?") from exc
    except OSError as exc:
        raise MediaError(f"{path}: could not run {cmd[0]} ({exc}); reinstall ffmpeg") from exc


def _not_media(path: Path, stderr: str) -> MediaError:
    cause = last_meaningful_line(stderr) or "ffmpeg could not read it"
    return MediaError(
        f"{path}: not a media file ffmpeg can open ({cause}); it may be another kind of file, "
        "or damaged or incomplete: choose an audio or video file that plays"
    )
