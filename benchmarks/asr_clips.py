"""The clip sets and the text normalisation the ASR benchmarks share (the same sets as ../shared/PEERS.md)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ENGLISH_SET = ("jfk.flac", "LDC93S1.wav", "leopard_test.wav", "pyannote_sample.wav", "stereo_diarization.wav")
HUMAN_ENGLISH = ENGLISH_SET + ("librispeech_61-70968-0000.flac", "mfa_acoustic_corpus.wav", "mfa_cold_corpus.wav")
FIVE_LANGUAGES = ("leopard_test_es.wav", "leopard_test_de.wav", "leopard_test_fr.wav", "leopard_test_it.wav", "leopard_test_pt.wav")


@dataclass(frozen=True)
class Clip:
    name: str
    language: str
    reference: str
    audio: np.ndarray  # 16 kHz mono float32

    @property
    def seconds(self) -> float:
        return len(self.audio) / 16000


def manifest() -> dict[str, dict]:
    return {e["audio"]: e for e in json.loads((DATA / "manifest.json").read_text())}


def reference_text(entry: dict) -> str:
    """The human reference; for stereo_diarization the left channel's."""
    channels = entry.get("channels_text")
    if isinstance(channels, dict):
        return channels.get("left") or next(iter(channels.values()))
    if isinstance(channels, list):
        return channels[0]
    return entry["text"]


def load_clip(name: str) -> Clip:
    from subtitler.media.decode import decode_audio

    entry = manifest()[name]
    if name == "stereo_diarization.wav":  # the left channel carries the human reference
        import soundfile as sf

        audio, rate = sf.read(DATA / name, dtype="float32")
        assert rate == 16000
        audio = np.ascontiguousarray(audio[:, 0])
    else:
        audio = decode_audio(DATA / name)
    return Clip(name, entry["language"], reference_text(entry), audio)


def joined(clips: list[Clip], gap_s: float = 0.5) -> Clip:
    """The long_en clip of PEERS.md: the clips back to back with silent gaps."""
    gap = np.zeros(int(gap_s * 16000), dtype=np.float32)
    parts = []
    for i, clip in enumerate(clips):
        if i:
            parts.append(gap)
        parts.append(clip.audio)
    return Clip("long_en", "en", " ".join(c.reference for c in clips), np.concatenate(parts))


def normalise(text: str) -> str:
    """Lower case, punctuation removed, spaces collapsed (the WER convention of PEERS.md)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s']", " ", text)
    text = text.replace("'", "")
    return " ".join(text.split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) or "<empty>" for h in hypotheses]
    return float(jiwer.wer(refs, hyps))
