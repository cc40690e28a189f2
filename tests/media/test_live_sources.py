"""Live sources: a media file played at real time or faster, the recorder, the level meter, the microphone's errors."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
import soundfile as sf

from subtitler.errors import MediaError, UserError
from subtitler.media.decode import decode_audio
from subtitler.media.live_sources import SILENCE_DB, FileSource, level_db
from subtitler.media.microphone import find_input_device, sounddevice
from subtitler.media.recorder import WavRecorder


def drain(source: FileSource) -> tuple[np.ndarray, list[float]]:
    """Read to the end as the live loop does; the arrival time of every non-empty read."""
    parts, times = [], []
    source.start()
    try:
        while (block := source.read(0.05)) is not None:
            if len(block):
                parts.append(block)
                times.append(time.monotonic())
    finally:
        source.close()
    return np.concatenate(parts), times


def test_file_played_at_four_times_real_time_arrives_whole_and_on_its_clock(data_dir) -> None:
    path = data_dir / "LDC93S1.wav"
    expected = decode_audio(path)
    begun = time.monotonic()
    audio, times = drain(FileSource(path, speed=4.0))
    np.testing.assert_array_equal(audio, expected)
    duration = len(expected) / 16000
    assert times[-1] - begun >= duration / 4 - 0.15  # not faster than 4x
    assert len(times) >= 4  # released over time, not all at once


def test_fast_file_source_records_what_it_gave_out(data_dir, tmp_path) -> None:
    path = data_dir / "jfk.mp4"
    out = tmp_path / "take.wav"
    audio, _ = drain(FileSource(path, speed=0, block_s=0.5, record_to=out))
    np.testing.assert_array_equal(audio, decode_audio(path))
    recorded, rate = sf.read(out, dtype="float32")
    assert rate == 16000 and len(recorded) == len(audio)
    assert np.max(np.abs(recorded - audio)) <= 0.5 / 32768 + 1e-7  # 16-bit rounding only


def test_a_file_without_sound_is_refused_before_anything_starts(bad_media) -> None:
    with pytest.raises(MediaError):
        FileSource(bad_media["silent"])
    with pytest.raises(MediaError):
        FileSource(bad_media["text"])


def test_recorder_file_is_valid_after_every_write(tmp_path) -> None:
    out = tmp_path / "r.wav"
    rec = WavRecorder(out, 16000)
    assert sf.info(out).frames == 0  # a valid empty WAV before the first block
    rec.write(np.full(1600, 0.5, np.float32))
    assert sf.info(out).frames == 1600  # readable before close: a crash keeps what was written
    rec.write(np.full(800, 2.0, np.float32))  # clipped, not wrapped
    rec.close()
    data, _ = sf.read(out, dtype="float32")
    assert len(data) == 2400 and data[-1] == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(MediaError):
        WavRecorder(tmp_path / "missing" / "r.wav")


def test_level_meter_in_dbfs() -> None:
    t = np.arange(16000) / 16000
    assert level_db(np.sin(2 * np.pi * 440 * t).astype(np.float32)) == pytest.approx(-3.01, abs=0.05)
    assert level_db(np.zeros(100, np.float32)) == SILENCE_DB
    assert level_db(np.zeros(0, np.float32)) == SILENCE_DB


def test_an_unknown_device_is_a_user_error_naming_what_to_do() -> None:
    """On a machine without sound devices (CI) this is 'no microphone'; with devices, 'not an input device'."""
    with pytest.raises(UserError, match="--file MEDIA|choose one of"):
        find_input_device(987)


def test_missing_portaudio_package_is_a_user_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as when the package is absent
    with pytest.raises(UserError, match="libportaudio2"):
        sounddevice()
