"""File name endings of the audio and video files Subtitler offers to open or transcribe.

ffmpeg reads far more; these lists only decide what a file dialog shows and which
files of a folder a batch transcription picks up (a file named explicitly is always tried).
"""

from __future__ import annotations

VIDEO_EXTENSIONS = (".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mpg", ".mpeg", ".ts", ".wmv", ".flv")
AUDIO_EXTENSIONS = (".mp3", ".wav", ".flac", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".aiff", ".aif")
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS + AUDIO_EXTENSIONS


def is_media_name(name: str) -> bool:
    return name.lower().endswith(MEDIA_EXTENSIONS)
