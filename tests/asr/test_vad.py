"""Voice activity on real speech: the side-by-side pieces agree with one pass, and regions fall on speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from subtitler.asr import vad
from subtitler.asr.vad import FRAME_SECONDS, VadOptions, frame_count, speech_probabilities, speech_regions
from subtitler.errors import Cancelled
from tests.asr.clips import load_clip


def single_pass(audio: np.ndarray) -> np.ndarray:
    """Silero's own whole-file loop (its audio_forward), the reference for the batched pieces."""
    model = vad._load_model()
    with torch.no_grad():
        return model.audio_forward(torch.from_numpy(audio), 16000)[0].numpy()


def test_import_keeps_torch_thread_count() -> None:
    torch.set_num_threads(2)
    vad._silero()
    vad._load_model()
    assert torch.get_num_threads() == 2


def _covered(regions, start: float, end: float) -> float:
    return sum(max(0.0, min(r.end, end) - max(r.start, start)) for r in regions)


def test_side_by_side_pieces_agree_with_one_pass_and_with_each_clip_alone(data_dir: Path) -> None:
    """A long file is cut into pieces that run as one batch: frame decisions agree with Silero's own single
    pass, and the speech each clip has alone is found in the joined file.

    (Silero's recurrent state, carried over minutes, makes the same clip score lower after other speech;
    both the single pass and the pieces show that, so speech found alone is asked to be mostly covered.)
    """
    names = ["aeneas_capitan_veneno_es.mp3", "mfa_cold_corpus.wav", "pyannote_sample.wav", "jfk.flac"]
    clips = [load_clip(data_dir / name) for name in names]
    gap = np.zeros(8000, np.float32)
    joined = np.concatenate([part for clip in clips * 2 for part in (clip, gap)])
    assert vad._stream_layout(frame_count(len(joined)))[0] > 1
    probs = speech_probabilities(joined)
    assert np.mean((probs > 0.5) == (single_pass(joined) > 0.5)) > 0.97
    found = vad.regions_from_probabilities(probs, len(joined))
    offset = 0.0
    for clip in clips * 2:
        alone = speech_regions(clip)
        speech = sum(r.duration for r in alone)
        covered = sum(_covered(found, r.start + offset, r.end + offset) for r in alone)
        assert covered > 0.85 * speech
        offset += (len(clip) + len(gap)) / 16000


def test_short_audio_is_one_exact_pass(data_dir: Path) -> None:
    audio = load_clip(data_dir / "jfk.flac")
    np.testing.assert_allclose(speech_probabilities(audio), single_pass(audio), atol=1e-5)


def test_regions_lie_on_the_speech_and_skip_leading_silence(data_dir: Path) -> None:
    audio = load_clip(data_dir / "pyannote_sample.wav")  # 6.7 s of silence, then a call
    regions = speech_regions(audio)
    assert regions, "speech was found"
    assert regions[0].start > 6.0
    assert all(r.end > r.start for r in regions)
    assert all(a.end <= b.start for a, b in zip(regions, regions[1:]))


def test_hand_labelled_edges(data_dir: Path) -> None:
    """LDC93S1: speech from 0.19 s to 2.79 s by the TIMIT labels."""
    audio = load_clip(data_dir / "LDC93S1.wav")
    regions = speech_regions(audio, VadOptions(speech_pad_ms=0))
    assert abs(regions[0].start - 0.19) < 0.1
    assert abs(regions[-1].end - 2.79) < 0.15


@pytest.mark.parametrize("kind", ["silence", "noise", "tone"])
def test_non_speech_has_no_regions(kind: str) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 10) / 16000
    audio = {"silence": np.zeros_like(t), "noise": rng.normal(0, 0.05, t.shape),
             "tone": 0.3 * np.sin(2 * np.pi * 440 * t)}[kind].astype(np.float32)
    assert speech_regions(audio) == []


def test_empty_and_tiny_audio() -> None:
    assert len(speech_probabilities(np.zeros(0, np.float32))) == 0
    assert speech_regions(np.zeros(100, np.float32)) == []
    assert len(speech_probabilities(np.zeros(513, np.float32))) == 2


def test_cancel() -> None:
    with pytest.raises(Cancelled):
        speech_probabilities(np.zeros(16000 * 60, np.float32), should_stop=lambda: True)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        VadOptions(threshold=1.5)
    assert FRAME_SECONDS == pytest.approx(0.032)


def _joined(data_dir: Path) -> np.ndarray:
    """About 4 minutes of speech with pauses: long enough for side-by-side pieces."""
    names = ["aeneas_capitan_veneno_es.mp3", "mfa_cold_corpus.wav", "pyannote_sample.wav", "jfk.flac"]
    clips = [load_clip(data_dir / name) for name in names]
    gap = np.zeros(8000, np.float32)
    return np.concatenate([part for clip in clips * 2 for part in (clip, gap)])


def _pieces_of_their_own(audio: np.ndarray, piece: int) -> np.ndarray:
    """The side-by-side pieces laid out sample by sample (each with the audio's warm-up frames before it, zeros before
    the start) and run through Silero's whole network: what speech_probabilities must give."""
    n = frame_count(len(audio))
    streams, per_stream = vad._stream_layout(n, piece)
    warmup = vad.WARMUP_FRAMES if streams > 1 else 0
    padded = np.zeros((warmup + streams * per_stream) * vad.FRAME_SAMPLES, np.float32)
    padded[warmup * vad.FRAME_SAMPLES: warmup * vad.FRAME_SAMPLES + len(audio)] = audio
    rows = [padded[s * vad.FRAME_SAMPLES: (s + warmup + per_stream) * vad.FRAME_SAMPLES]
            for s in np.arange(streams) * per_stream]
    return vad._sequence_model()(torch.from_numpy(np.stack(rows))).numpy()[:, warmup:].reshape(-1)[:n]


def test_shared_frame_features_give_the_probabilities_of_a_pass_of_its_own(data_dir: Path) -> None:
    """Every layout a transcription rates a file in (the whole file; blocks in 30-s and in 8-s pieces, from any
    frame), read from one FrameFeatures, gives what a pass computing its own features gives."""
    joined = _joined(data_dir)
    shared = vad.FrameFeatures(joined)
    n = frame_count(len(joined))
    for first, last, piece in ((0, n, vad.MIN_STREAM_FRAMES), (0, n, vad.PIECE_FRAMES), (3000, n, vad.PIECE_FRAMES),
                               (640, 5000, vad.SHORT_PIECE_FRAMES), (7, 300, vad.MIN_STREAM_FRAMES)):
        audio = joined[first * vad.FRAME_SAMPLES: last * vad.FRAME_SAMPLES]
        own = _pieces_of_their_own(audio, piece)
        assert np.abs(speech_probabilities(audio, None, piece) - own).max() < 1e-4
        got = speech_probabilities(audio, None, piece, shared, first)
        assert got.shape == own.shape and np.abs(got - own).max() < 1e-4, (first, last, piece)


def test_a_transcription_computes_each_frame_s_features_once(data_dir: Path, monkeypatch) -> None:
    """The whole-file pass for the word edges and the speech gate's two ratings (30-s and 8-s pieces) share the
    frames' convolutions: they computed them three times, most of voice activity's cost (tiny.en on a 10-minute
    programme: 12.06 -> 11.30 s, the same transcript)."""
    from subtitler.asr import transcribe as transcribe_module
    from subtitler.asr.silero_net import SileroSequence
    from subtitler.asr.transcribe import TranscribeOptions

    joined = _joined(data_dir)
    computed = []
    original = SileroSequence.frame_features
    monkeypatch.setattr(SileroSequence, "frame_features", lambda self, windows: computed.append(len(windows))
                        or original(self, windows))
    activity = vad.SpeechActivity(joined)
    transcribe_module._listen(joined, TranscribeOptions(), 100, None, activity.features)  # as transcribe calls it
    activity.probabilities(0.0, len(joined) / 16000)
    n = frame_count(len(joined))
    assert n <= sum(computed) < n + 200  # each frame once, and each piece's first frame again
