"""Decoding to 16 kHz mono float32: equal to openai-whisper's loader, streamed, cancellable."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from subtitler.errors import Cancelled, MediaError
from subtitler.media.decode import SAMPLE_RATE, MediaWarning, decode_audio, iter_audio
from subtitler.media.pipe import PcmPipe, decode_command
from tests.reference import import_reference

CLIPS = ["jfk.flac", "jfk.mp4", "multilingual.mp3", "stereo_diarization.wav"]


@pytest.fixture(scope="module")
def whisper_load_audio(tmp_path_factory):
    """openai-whisper's load_audio, with the imageio ffmpeg on PATH as `ffmpeg` (it calls it by name)."""
    whisper_audio = import_reference("whisper.audio")
    folder = tmp_path_factory.mktemp("ffmpeg_on_path")
    os.symlink(imageio_ffmpeg.get_ffmpeg_exe(), folder / "ffmpeg")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        yield whisper_audio.load_audio


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
@pytest.mark.parametrize("name", CLIPS)
def test_equals_openai_whisper_load_audio(name: str, data_dir: Path, whisper_load_audio):
    ours = decode_audio(data_dir / name)
    reference = whisper_load_audio(str(data_dir / name))
    assert ours.dtype == np.float32 and ours.shape == reference.shape
    assert np.abs(ours - reference).max() < 1e-4


def test_jfk_flac_is_11_s_mono_16k_in_range(data_dir: Path):
    audio = decode_audio(data_dir / "jfk.flac")
    assert audio.ndim == 1 and len(audio) == 11 * SAMPLE_RATE
    assert 0.1 < np.abs(audio).max() <= 1.0  # stereo downmix stays in [-1, 1], like an s16 decode


def test_decode_audio_owns_a_compact_buffer(data_dir: Path):
    audio = decode_audio(data_dir / "multilingual.mp3")
    assert audio.flags.owndata and audio.base is None


@pytest.mark.parametrize("chunk_seconds", [0.37, 30.0])
def test_chunks_equal_one_shot(chunk_seconds: float, data_dir: Path):
    path = data_dir / "multilingual.mp3"
    chunks = list(iter_audio(path, chunk_seconds=chunk_seconds))
    assert all(len(c) == round(chunk_seconds * SAMPLE_RATE) for c in chunks[:-1])
    np.testing.assert_array_equal(np.concatenate(chunks), decode_audio(path))


def test_start_s_skips_ahead(data_dir: Path):
    whole = decode_audio(data_dir / "jfk.flac")
    tail = np.concatenate(list(iter_audio(data_dir / "jfk.flac", start_s=5.0)))
    assert len(tail) == len(whole) - 5 * SAMPLE_RATE
    assert np.abs(tail[1000:-1000] - whole[5 * SAMPLE_RATE + 1000 : -1000]).max() < 1e-3


def test_other_sample_rate(data_dir: Path):
    assert len(decode_audio(data_dir / "jfk.flac", sample_rate=8000)) == 11 * 8000


def test_second_audio_track(multi_track_mkv: Path, data_dir: Path):
    german = decode_audio(multi_track_mkv, audio_stream=1)
    source = decode_audio(data_dir / "multilingual.mp3")
    assert len(german) == pytest.approx(5 * SAMPLE_RATE, abs=0.1 * SAMPLE_RATE)
    assert np.corrcoef(german[:70000], source[:70000])[0, 1] > 0.99


def test_cancel_raises_and_stops_ffmpeg(data_dir: Path):
    calls = []

    def stop_on_second_check() -> bool:
        calls.append(1)
        return len(calls) >= 2

    chunks = iter_audio(data_dir / "multilingual.mp3", chunk_seconds=1.0, should_stop=stop_on_second_check)
    assert len(next(chunks)) == SAMPLE_RATE
    with pytest.raises(Cancelled):
        next(chunks)
    with pytest.raises(Cancelled):
        decode_audio(data_dir / "multilingual.mp3", should_stop=lambda: True)


def test_leaving_a_pipe_early_kills_ffmpeg(data_dir: Path):
    path = data_dir / "multilingual.mp3"
    with PcmPipe(decode_command(path, 0, SAMPLE_RATE), path) as pipe:
        pipe.read_into(np.empty(100, np.float32))
    assert pipe._proc.returncode is not None


def test_missing_file(tmp_path: Path):
    with pytest.raises(MediaError, match=r"gone\.wav: file not found"):
        decode_audio(tmp_path / "gone.wav")


def test_text_file_renamed_mp4(tmp_path: Path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("not a film\n" * 50)
    with pytest.raises(MediaError, match=r"notes\.mp4: not a media file"):
        list(iter_audio(fake))


def test_video_without_audio(video_without_audio: Path):
    with pytest.raises(MediaError, match="has no audio stream"):
        decode_audio(video_without_audio)


def test_audio_track_out_of_range(data_dir: Path):
    with pytest.raises(MediaError, match=r"jfk\.mp4: has no audio track 1; it has one audio track \(number 0\)"):
        decode_audio(data_dir / "jfk.mp4", audio_stream=1)


def test_ffmpeg_missing(tmp_path: Path, monkeypatch, data_dir: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: (_ for _ in ()).throw(RuntimeError("none")))
    with pytest.raises(MediaError, match="ffmpeg not found"):
        decode_audio(data_dir / "jfk.flac")


@pytest.mark.parametrize("name, decoded_s", [("jfk.flac", 5.4), ("jfk.mp4", 4.9), ("multilingual.mp3", 29.9)])
def test_truncated_file_gives_what_is_there_and_warns(name, decoded_s, truncated, capfd):
    path = truncated(name, 0.5)
    with pytest.warns(MediaWarning, match=rf"truncated_{name}: only part of the audio could be decoded"):
        audio = decode_audio(path)
    assert len(audio) / SAMPLE_RATE == pytest.approx(decoded_s, abs=0.1)
    assert capfd.readouterr().err == ""  # ffmpeg's complaints go into the warning, not onto the terminal


def test_truncated_warning_quotes_ffmpeg(truncated):
    with pytest.warns(MediaWarning, match="ffmpeg said: Decoding error: Invalid data"):
        decode_audio(truncated("jfk.flac", 0.5))


def test_file_cut_before_any_audio_raises(truncated):
    with pytest.raises(MediaError, match=r"truncated_jfk\.mp4: not a media file ffmpeg can open \(End of file\)"):
        decode_audio(truncated("jfk.mp4", 0.02))


def test_intact_file_does_not_warn(data_dir: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decode_audio(data_dir / "jfk.mp4")
