"""The preview shows the frame whose presentation interval contains the playhead (issue 11, fault 5).

At exact frame boundaries (which F11/F12 and frame nudges produce) Qt's FFmpeg backend
showed the frame before: at 1.960 s, frame 48 of a 25-fps video instead of frame 49.
A generated video whose every frame has its own grey level tells which frame is shown.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from subtitler.gui.player.clock import frame_centre_ms
from subtitler.media.ffmpeg_binary import find_ffmpeg
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

FPS = 25


@pytest.fixture(scope="module")
def numbered_video(tmp_path_factory) -> Path:
    """4 s at 25 fps, frame n drawn with luma 3n (lossless), so a frame's start time and colour both name it."""
    path = tmp_path_factory.mktemp("video") / "frames25.mp4"
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", "-f", "lavfi",
                    "-i", f"color=c=black:s=64x64:r={FPS}:d=4,geq=lum='N*3':cb=128:cr=128",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-qp", "0", "-bf", "2", "-g", "50", str(path)], check=True)
    return path


def test_frame_centre_arithmetic():
    assert [frame_centre_ms(ms, 25) for ms in (0, 39, 40, 1960, 1999, 2000)] == [20, 20, 60, 1980, 1980, 2020]
    assert frame_centre_ms(1001, 24000 / 1001) == 1022  # 23.976 fps: frame 24 spans 1001.0-1042.7 ms
    assert frame_centre_ms(1234, 0.0) == 1234  # unknown rate: as asked


@pytest.mark.parametrize("ms", [1960, 2000, 2080, 3960, 1999, 2039, 0])
def test_the_preview_shows_the_frame_that_contains_the_playhead(window, numbered_video, qtbot, ms):
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.load_media(numbered_video)
    sink = window.video_view._video_item.videoSink()
    expected_us = (ms * FPS // 1000) * 1000_000 // FPS
    window.player.seek(ms)
    shown = lambda: sink.videoFrame().startTime()  # noqa: E731
    qtbot.waitUntil(lambda: shown() == expected_us, timeout=5000)
    qtbot.wait(300)  # and it stays there: no later frame replaces it
    assert shown() == expected_us
    assert window.player.position_ms == ms, "the playhead stays where it was put"
    frame = sink.videoFrame().toImage()
    luma = 3 * (ms * FPS // 1000) % 256  # drawn in limited-range YUV (wrapping at 256), shown in full-range RGB
    assert abs(frame.pixelColor(32, 32).red() - max(0, round((luma - 16) * 255 / 219))) <= 2


def test_opening_a_video_project_shows_the_current_cues_frame_not_frame_0(window, data_dir, tmp_path, qtbot):
    """Issue 11, fault 8: after an audio-only file, a project's video stayed on frame 0 though the playhead was on its cue."""
    from subtitler.core.cue import Cue
    from subtitler.core.document import Document
    from subtitler.formats.registry import write_document

    audio_project, video_project = tmp_path / "audio.subtitler.json", tmp_path / "video.subtitler.json"
    write_document(Document([Cue(5200, 6000, "heard")], media_path=str(data_dir / "jfk.flac")), audio_project)
    write_document(Document([Cue(3200, 5000, "seen"), Cue(6000, 7000, "later")], media_path=str(data_dir / "jfk.mp4")),
                   video_project)
    sink = window.video_view._video_item.videoSink()
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.files.open_path(audio_project)
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.files.open_path(video_project)
    qtbot.waitUntil(lambda: window.player.position_ms == 3200 and window.player.has_video, timeout=5000)
    qtbot.waitUntil(lambda: sink.videoFrame().startTime() == 3_200_000, timeout=5000)
    qtbot.wait(300)
    assert sink.videoFrame().startTime() == 3_200_000
