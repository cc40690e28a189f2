"""Decode test clips exactly as openai-whisper's ``load_audio`` does (same ffmpeg command).

Reference equality needs identical samples, so tests never resample with another library.
The ffmpeg binary is the one imageio-ffmpeg ships (no ffmpeg on PATH is assumed).
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg
import numpy as np


@lru_cache(maxsize=32)
def _decode(path: str) -> bytes:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-threads", "0", "-i", path,
           "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", "16000", "-"]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def load_clip(path: Path) -> np.ndarray:
    """16 kHz mono float32 samples of ``path``."""
    return np.frombuffer(_decode(str(path)), np.int16).astype(np.float32) / 32768.0
