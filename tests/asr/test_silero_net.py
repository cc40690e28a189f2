"""Silero's weights evaluated a whole sequence at a time give what its own model gives a frame at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from subtitler.asr import vad
from subtitler.asr.silero_net import FRAME_SAMPLES, SileroSequence
from tests.asr.clips import load_clip


def stepped(audio: np.ndarray) -> np.ndarray:
    """Silero's TorchScript model from a fresh state, fed one 512-sample frame per call (the way its own loops run)."""
    model = vad._load_model()
    model.reset_states()
    x = torch.from_numpy(np.pad(audio, (0, -len(audio) % FRAME_SAMPLES)))
    with torch.no_grad():
        probs = [float(model(x[None, i: i + FRAME_SAMPLES], 16000)[0, 0]) for i in range(0, len(x), FRAME_SAMPLES)]
    model.reset_states()
    return np.array(probs, np.float32)


def test_side_by_side_streams_each_match_the_model_stepped_alone(data_dir: Path) -> None:
    """Two streams in one batch (speech with a silent opening, a congested voice), each against its own stepped pass."""
    first = load_clip(data_dir / "pyannote_sample.wav")[: 16000 * 12]
    second = load_clip(data_dir / "mfa_cold_corpus.wav")[: 16000 * 12]
    batch = torch.from_numpy(np.stack([first, second])[:, : len(first) // FRAME_SAMPLES * FRAME_SAMPLES].copy())
    got = SileroSequence(vad._load_model())(batch).numpy()
    for row, audio in enumerate((first, second)):
        expected = stepped(audio[: batch.shape[1]])
        np.testing.assert_allclose(got[row], expected, atol=1e-4)
        assert expected.max() > 0.9 and expected.min() < 0.1  # speech and pauses both in the compared frames


def test_a_stream_longer_than_one_slice_carries_its_state_across_slices(data_dir: Path, monkeypatch) -> None:
    """The convolutions run in slices of frames; the recurrent state must run on across them."""
    import subtitler.asr.silero_net as silero_net

    audio = load_clip(data_dir / "jfk.flac")
    monkeypatch.setattr(silero_net, "SLICE_FRAMES", 37)
    calls = []
    got = SileroSequence(vad._load_model())(
        torch.from_numpy(audio[: len(audio) // FRAME_SAMPLES * FRAME_SAMPLES].copy())[None], lambda: calls.append(1))
    np.testing.assert_allclose(got[0].numpy(), stepped(audio)[: got.shape[1]], atol=1e-4)
    assert len(calls) == -(-got.shape[1] // 37)  # the stop check runs before every slice


def test_no_frames_give_no_probabilities() -> None:
    assert SileroSequence(vad._load_model())(torch.zeros(3, 100)).shape == (3, 0)
