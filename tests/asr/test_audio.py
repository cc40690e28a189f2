"""Log-mel features equal openai-whisper's on real audio (the model was trained on exactly these numbers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from subtitler.asr.audio import N_FRAMES, N_SAMPLES, log_mel_spectrogram, mel_filter_bank, pad_or_trim
from tests.asr.clips import load_clip
from tests.reference import import_reference

whisper_audio = import_reference("whisper.audio")


@pytest.mark.parametrize("n_mels", [80, 128])
def test_mel_filters_equal_librosa_slaney_filters_openai_ships(n_mels: int) -> None:
    reference = whisper_audio.mel_filters("cpu", n_mels).numpy()
    ours = mel_filter_bank(n_mels)
    assert ours.shape == reference.shape == (n_mels, 201)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-7)


@pytest.mark.parametrize("clip", ["jfk.flac", "multilingual.mp3", "leopard_test_ja.wav"])
@pytest.mark.parametrize("n_mels", [80, 128])
def test_log_mel_matches_openai_whisper_on_real_audio(data_dir, clip: str, n_mels: int) -> None:
    audio = load_clip(data_dir / clip)
    reference = whisper_audio.log_mel_spectrogram(audio, n_mels, padding=N_SAMPLES)
    ours = log_mel_spectrogram(audio, n_mels, padding=N_SAMPLES)
    assert ours.shape == reference.shape == (n_mels, (len(audio) + N_SAMPLES) // 160)
    assert (ours - reference).abs().max().item() <= 1e-4


def test_batch_of_windows_gives_the_same_features_as_each_window(data_dir) -> None:
    audio = load_clip(data_dir / "jfk.flac")
    quiet = audio * 0.01  # a different peak: the floor must be per window, not per batch
    windows = np.stack([pad_or_trim(audio), pad_or_trim(quiet)])
    batched = log_mel_spectrogram(windows)
    assert batched.shape == (2, 80, N_FRAMES)
    for row, window in zip(batched, windows):
        assert torch.allclose(row, log_mel_spectrogram(window), atol=1e-6)


def test_pad_or_trim_pads_and_cuts_arrays_and_tensors_along_the_axis() -> None:
    short = np.ones((2, 5), dtype=np.float32)
    assert pad_or_trim(short, 8).shape == (2, 8)
    assert pad_or_trim(short, 8)[:, 5:].sum() == 0
    assert pad_or_trim(short, 3).shape == (2, 3)
    assert pad_or_trim(short, 1, axis=0).shape == (1, 5)
    tensor = torch.ones(3, 4)
    assert pad_or_trim(tensor, 6).shape == (3, 6) and pad_or_trim(tensor, 6)[:, 4:].sum() == 0
    assert pad_or_trim(tensor, 2, axis=0).shape == (2, 4)
    assert pad_or_trim(tensor, 5, axis=0).shape == (5, 4) and pad_or_trim(tensor, 5, axis=0)[3:].sum() == 0


def test_silence_gives_the_floor_not_nan() -> None:
    mel = log_mel_spectrogram(np.zeros(16000, dtype=np.float32))
    assert torch.isfinite(mel).all()
    assert torch.allclose(mel, torch.full_like(mel, (-10 + 4) / 4))


def test_long_audio_is_transformed_in_blocks_with_the_same_result(data_dir) -> None:
    audio = load_clip(data_dir / "jfk.flac")
    whole = log_mel_spectrogram(audio, padding=N_SAMPLES)
    for block in (1000, 777, 4100):
        assert torch.allclose(log_mel_spectrogram(audio, padding=N_SAMPLES, chunk_frames=block), whole, atol=1e-5)


# --- issue 10.13: features per window, memory flat with the file's length ----------------------------

@pytest.mark.parametrize("clip", ["jfk.flac", "LDC93S1.wav", "pyannote_sample.wav", "aeneas_capitan_veneno_es.mp3"])
def test_windows_equal_the_whole_spectrogram_bit_for_bit(data_dir, clip):
    """Every frame computed per window is the frame of the whole-file spectrogram (so tokens stay openai-whisper's)."""
    from subtitler.asr.audio import LogMelWindows
    from tests.asr.clips import load_clip

    audio = load_clip(data_dir / clip)
    whole = log_mel_spectrogram(audio, 80, padding=N_SAMPLES)
    windows = LogMelWindows(audio, 80, padding=N_SAMPLES)
    assert windows.shape == tuple(whole.shape)
    for start in list(range(0, whole.shape[-1], 1117)) + [0, whole.shape[-1] - N_FRAMES, whole.shape[-1] - 1]:
        assert torch.equal(windows[:, start:start + N_FRAMES], whole[:, start:start + N_FRAMES]), start


def test_windows_of_silence_and_of_an_empty_clip():
    from subtitler.asr.audio import LogMelWindows

    for audio in (np.zeros(0, np.float32), np.zeros(16_000, np.float32)):
        whole = log_mel_spectrogram(audio, 80, padding=N_SAMPLES)
        assert torch.equal(LogMelWindows(audio, 80, padding=N_SAMPLES)[:, 0:N_FRAMES], whole[:, :N_FRAMES])


@pytest.mark.slow
def test_transcription_computes_features_one_window_at_a_time(tiny_en, tiny_en_dir, data_dir, monkeypatch):
    """No STFT ever sees more than one window (plus its context) of a 55-s file: the old code transformed it whole."""
    from subtitler.asr.tokenizer import Tokenizer
    from subtitler.asr.transcribe import TranscribeOptions, transcribe
    from tests.asr.clips import load_clip

    audio = np.concatenate([load_clip(data_dir / "jfk.flac")] * 5)  # 55 s: two windows
    sizes = []
    real = torch.stft
    monkeypatch.setattr(torch, "stft", lambda x, *a, **k: sizes.append(x.shape[-1]) or real(x, *a, **k))
    tok = Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)
    as_openai = TranscribeOptions(temperature=(0.0,), max_repeats=None, repeat_lookback=0, drop_repetitive=False)
    segments = list(transcribe(tiny_en, tok, audio, as_openai))
    assert segments and segments[-1].end > 45
    assert sizes and max(sizes) <= N_SAMPLES + 400
