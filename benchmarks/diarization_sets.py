"""Diarization test sets with known truth, shared by benchmarks/bench_diarization.py and the tests.

- ``pyannote_sample``: the pyannote sample conversation against its published RTTM.
- Joined clips: utterances of two (or three) different speakers from the shared single-speaker clips,
  taken in turn with short pauses between, so who speaks when is known by construction. Each source's
  speech extents are its Silero voice-activity regions (the speaker, not the speech detection, is what
  these clips test).
- ``stereo_diarization``: the faster-whisper stereo file mixed to mono; each channel is one speaker and
  its regions are found on that channel alone (the two voices overlap in time).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RATE = 16_000
PAUSE_S = 0.5
JOINED = {  # name: (sources, seconds taken from each)
    "jfk+librispeech1272": (("jfk.flac", "leopard_test.wav"), 11.0),
    "mfa+librispeech61": (("mfa_acoustic_corpus.wav", "librispeech_61-70968-0000.flac"), 12.0),
    "spanish_mls+librivox": (("mls_es_13697_11991_000000.flac", "aeneas_capitan_veneno_es.mp3"), 15.0),
    "german+french": (("leopard_test_de.wav", "leopard_test_fr.wav"), 7.0),
    "three_speakers": (("LDC93S1.wav", "leopard_test_it.wav", "leopard_test_pt.wav"), 6.0),
}


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: str


@dataclass
class DiarizationClip:
    """Audio (16-kHz mono) with its true speaker turns and, where known, speaker-attributed text spans."""

    name: str
    audio: np.ndarray
    truth: list[Turn]
    speakers: int
    note: str = ""
    text_spans: list[Turn] = field(default_factory=list)  # (start, end, speaker) of transcript stretches, for word accuracy

    @property
    def seconds(self) -> float:
        return len(self.audio) / RATE


def decode(path: Path, channel: int | None = None) -> np.ndarray:
    """16-kHz mono float32 through imageio-ffmpeg's ffmpeg; ``channel`` picks one channel instead of the mix."""
    import imageio_ffmpeg

    pan = ["-af", f"pan=mono|c0=c{channel}"] if channel is not None else ["-ac", "1"]
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), *pan,
           "-ar", str(RATE), "-f", "f32le", "-"]
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, np.float32).copy()


def read_rttm(path: Path) -> list[Turn]:
    turns = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "SPEAKER":
            turns.append(Turn(float(parts[3]), float(parts[3]) + float(parts[4]), parts[7]))
    return turns


def read_stm(path: Path) -> list[Turn]:
    spans = []
    for line in path.read_text().splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) >= 5:
            spans.append(Turn(float(parts[3]), float(parts[4]), parts[2]))
    return spans


def pyannote_sample() -> DiarizationClip:
    return DiarizationClip("pyannote_sample", decode(DATA / "pyannote_sample.wav"), read_rttm(DATA / "pyannote_sample.rttm"), 2,
                           "published reference; 2.0 s of overlapped speech", read_stm(DATA / "pyannote_sample.stm"))


def _utterances(audio: np.ndarray, seconds: float) -> list[list[tuple[float, float]]]:
    """Utterances of about 2-4 s within the first ``seconds``, each as its Silero speech regions (seconds)."""
    from subtitler.asr.vad import speech_regions

    utterances: list[list[tuple[float, float]]] = []
    for r in speech_regions(audio):
        if r.start >= seconds:
            break
        if utterances and (r.start - utterances[-1][-1][1] < 0.3 or utterances[-1][-1][1] - utterances[-1][0][0] < 2.0):
            utterances[-1].append((r.start, r.end))
        else:
            utterances.append([(r.start, r.end)])
    return utterances


def joined(name: str) -> DiarizationClip:
    """Utterances of each source in turn (A1 B1 A2 B2 ...) with pauses of PAUSE_S between."""
    sources, seconds = JOINED[name]
    queues = [_utterances(decode(DATA / s), seconds) for s in sources]
    audios = [decode(DATA / s) for s in sources]
    pause = np.zeros(int(PAUSE_S * RATE), np.float32)
    pieces: list[np.ndarray] = []
    truth: list[Turn] = []
    position = 0
    for k in range(max(len(q) for q in queues)):
        for speaker, (queue, audio) in enumerate(zip(queues, audios)):
            if k >= len(queue):
                continue
            regions = queue[k]
            first = int(regions[0][0] * RATE)
            piece = audio[first:int(regions[-1][1] * RATE)]
            offset = position / RATE - first / RATE
            truth += [Turn(offset + a, offset + b, sources[speaker].split(".")[0]) for a, b in regions]
            pieces += [piece, pause]
            position += len(piece) + len(pause)
    audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    return DiarizationClip(name, audio, truth, len(sources), "joined by construction", _spans(truth))


def _spans(truth: list[Turn]) -> list[Turn]:
    """Consecutive turns of one speaker as one stretch (a word in a pause between them is still theirs)."""
    spans: list[Turn] = []
    for turn in truth:
        if spans and spans[-1].speaker == turn.speaker:
            spans[-1] = Turn(spans[-1].start, turn.end, turn.speaker)
        else:
            spans.append(turn)
    return spans


def stereo() -> DiarizationClip:
    from subtitler.asr.vad import speech_regions

    path = DATA / "stereo_diarization.wav"
    truth = [Turn(r.start, r.end, side) for channel, side in ((0, "left"), (1, "right"))
             for r in speech_regions(decode(path, channel))]
    return DiarizationClip("stereo_diarization", decode(path), sorted(truth, key=lambda t: t.start), 2,
                           "one speaker per channel, mixed to mono; the voices overlap")


def all_clips() -> list[DiarizationClip]:
    return [pyannote_sample(), *(joined(name) for name in JOINED), stereo()]
