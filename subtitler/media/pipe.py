"""Run ffmpeg with its decoded samples on a pipe and its stderr kept for errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ffmpeg
import numpy as np

from subtitler.errors import MediaError
from subtitler.media.ffmpeg_binary import find_ffmpeg, input_url, no_console_flags
from subtitler.media.stderr import StderrTail, last_meaningful_line

_GLOBAL_ARGS = ["-nostdin", "-hide_banner", "-loglevel", "error"]


def decode_command(path: Path, position: int, sample_rate: int, start_s: float = 0.0,
                   duration_s: float | None = None) -> list[str]:
    """ffmpeg arguments that write audio track `position` as float32 mono PCM to stdout (only `duration_s` of it if given)."""
    options = {"ss": start_s} if start_s > 0 else {}
    if duration_s is not None:
        options["t"] = duration_s  # ffmpeg stops reading there: a 2-hour file costs what 30 s cost
    source = ffmpeg.input(input_url(path), **options)
    # rematrix_maxval=1 keeps a stereo/5.1 downmix within [-1, 1] as for integer output (and
    # openai-whisper's s16 decode); float output would otherwise sum channels at -3 dB each.
    audio = source[f"a:{position}"].filter("aresample", rematrix_maxval=1.0)
    out = ffmpeg.output(audio, "pipe:", format="f32le", acodec="pcm_f32le", ac=1, ar=sample_rate)
    return out.compile(cmd=[find_ffmpeg(), *_GLOBAL_ARGS])


class PcmPipe:
    """A running ffmpeg whose stdout is read straight into numpy buffers.

    Use as a context manager: leaving it early (cancel, exception, generator
    close) kills ffmpeg so no orphan keeps decoding. `finish()` reports how the
    run ended: it raises MediaError when nothing could be decoded and returns
    ffmpeg's complaint (or "") when the audio that was readable came out.
    """

    def __init__(self, cmd: list[str], path: Path) -> None:
        self.path = path
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                creationflags=no_console_flags(),
            )
        except OSError as exc:
            raise MediaError(f"{path}: could not run ffmpeg ({exc}); reinstall ffmpeg or imageio-ffmpeg") from exc
        self._stderr = StderrTail(self._proc.stderr)
        self.samples_read = 0

    def read_into(self, out: np.ndarray) -> int:
        """Fill the float32 array `out` from the pipe; returns samples written (fewer only at the end)."""
        view = memoryview(out).cast("B")
        filled = 0
        while filled < len(view):
            got = self._proc.stdout.readinto(view[filled:])
            if not got:
                break
            filled += got
        # A trailing partial sample can only happen if ffmpeg died mid-write; drop it.
        self.samples_read += filled // 4
        return filled // 4

    def finish(self) -> str:
        """Wait for ffmpeg; MediaError if it failed with no audio out, else its last complaint or ''."""
        code = self._proc.wait()
        cause = last_meaningful_line(self._stderr.text())
        if code != 0 and self.samples_read == 0:
            raise MediaError(
                f"{self.path}: ffmpeg could not decode the audio ({cause or f'exit status {code}'}); "
                "the file may be damaged or in a format this ffmpeg does not support"
            )
        return cause if (code != 0 or cause) else ""

    def __enter__(self) -> PcmPipe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.stdout.close()
        self._proc.wait()
