"""probe() on real files and on files that are not what they claim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from subtitler.errors import MediaError
from subtitler.media import probe as probe_module
from subtitler.media.probe import probe, require_audio_stream


@pytest.fixture(autouse=True)
def no_ffprobe(monkeypatch):
    """The imageio-ffmpeg setup (no ffprobe) is the one every install has; test that path."""
    monkeypatch.setattr(probe_module, "find_ffprobe", lambda: None)


def test_flac(data_dir: Path):
    info = probe(data_dir / "jfk.flac")
    assert info.duration_s == pytest.approx(11.0)
    assert (info.audio_streams[0].channels, info.audio_streams[0].sample_rate) == (2, 44100)
    assert not info.has_video


def test_mp4_has_video_and_audio(data_dir: Path):
    info = probe(data_dir / "jfk.mp4")
    assert info.has_audio and info.has_video
    assert info.audio_streams[0].index == 1 and info.audio_streams[0].position == 0


def test_agrees_with_manifest(data_dir: Path, manifest: list[dict]):
    for clip in manifest:
        info = probe(data_dir / clip["audio"])
        assert info.duration_s == pytest.approx(clip["duration"], abs=0.01), clip["audio"]
        assert info.audio_streams[0].sample_rate == clip["sample_rate"], clip["audio"]
        assert info.audio_streams[0].channels == clip["channels"], clip["audio"]


def test_multi_track_file(multi_track_mkv: Path):
    info = probe(multi_track_mkv)
    assert [(a.language, a.title, a.channels) for a in info.audio_streams] == [
        ("eng", None, 1), ("deu", "German dub, commentary", 1), (None, None, 6),
    ]
    assert "deu" in info.audio_streams[1].label


def test_missing_file(tmp_path: Path):
    with pytest.raises(MediaError, match=r"nope\.mp4: file not found"):
        probe(tmp_path / "nope.mp4")


def test_text_file_renamed_mp4(tmp_path: Path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is a text file, not a film\n" * 20)
    with pytest.raises(MediaError, match=r"notes\.mp4: not a media file ffmpeg can open \(Invalid data found when processing input\)"):
        probe(fake)


def test_video_without_audio_is_reported_by_require_audio_stream(video_without_audio: Path):
    info = probe(video_without_audio)
    assert info.has_video and not info.has_audio
    with pytest.raises(MediaError, match="silent_film.mp4: has no audio stream"):
        require_audio_stream(info, 0)


def test_track_out_of_range(multi_track_mkv: Path):
    """Issue 10.9: tracks are counted from 0 as --audio-track counts them (the message used to count from 1)."""
    with pytest.raises(MediaError, match=r"has no audio track 3; it has 3 audio tracks \(numbered 0 to 2\)"):
        require_audio_stream(probe(multi_track_mkv), 3)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="no ffprobe on PATH to compare with")
def test_ffprobe_and_report_agree(data_dir: Path, monkeypatch):
    monkeypatch.undo()
    with_ffprobe = probe(data_dir / "jfk.mp4")
    monkeypatch.setattr(probe_module, "find_ffprobe", lambda: None)
    assert probe(data_dir / "jfk.mp4").audio_streams == with_ffprobe.audio_streams
