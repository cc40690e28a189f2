"""The microphone as a live source, through PortAudio (the ``sounddevice`` package).

PortAudio is a system library (``apt-get install libportaudio2`` on Debian and Ubuntu; the
macOS and Windows wheels of sounddevice carry their own). It is imported only when a
microphone is asked for, so a machine without it runs everything else; asking for a
microphone there gives one clear message.

The device is opened at 16 kHz when it accepts that, else at its own rate, in which case
:mod:`soxr` (a streaming resampler) brings the audio to 16 kHz for the model; a recording
keeps the device's rate. The PortAudio callback only copies the block, measures its level and
queues it: nothing that could block runs on the audio thread.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from subtitler.errors import MediaError, UserError
from subtitler.media.live_sources import SAMPLE_RATE, SILENCE_DB, level_db
from subtitler.media.recorder import WavRecorder

PORTAUDIO_HINT = ("install PortAudio (Debian/Ubuntu: sudo apt-get install libportaudio2; Fedora: sudo dnf install portaudio) "
                  "or use --file MEDIA to caption a file")
NO_DEVICE = ("no microphone or other input device found; plug one in (or check its permissions), "
             "or use --file MEDIA to caption a file")
BLOCK_S = 0.05


def sounddevice():
    """The sounddevice module, or a UserError that says how to install PortAudio."""
    try:
        import sounddevice as sd
    except OSError as exc:  # the package is there, the PortAudio library is not
        raise UserError(f"microphone input needs the PortAudio library ({exc}); {PORTAUDIO_HINT}") from exc
    except ImportError as exc:
        raise UserError(f"microphone input needs the sounddevice package (pip install sounddevice); {PORTAUDIO_HINT}") from exc
    return sd


@dataclass(frozen=True)
class InputDevice:
    """A device that can record; `index` is what --device takes."""

    index: int
    name: str
    channels: int
    default_rate: float
    host_api: str
    is_default: bool

    def label(self) -> str:
        mark = " (default)" if self.is_default else ""
        return f"{self.index}: {self.name} — {self.host_api}, {self.channels} ch, {self.default_rate:.0f} Hz{mark}"


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel (UserError without PortAudio)."""
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default = sd.default.device[0]
    except Exception as exc:  # PortAudio can fail to initialise (no sound system at all)
        raise UserError(f"could not list sound devices ({exc}); check that a sound system is running") from exc
    return [
        InputDevice(d["index"], d["name"], int(d["max_input_channels"]), float(d["default_samplerate"]),
                    apis[d["hostapi"]]["name"], d["index"] == default)
        for d in devices if d["max_input_channels"] > 0
    ]


def find_input_device(choice: int | str | None) -> InputDevice:
    """The device for `choice` (an index, part of a name, or None for the default), or a UserError listing them."""
    devices = list_input_devices()
    if not devices:
        asked = f"--device {choice}: " if choice is not None else ""
        raise UserError(f"{asked}{NO_DEVICE}")
    if choice is None:
        return next((d for d in devices if d.is_default), devices[0])
    if isinstance(choice, int) or str(choice).isdigit():
        match = [d for d in devices if d.index == int(choice)]
    else:
        match = [d for d in devices if str(choice).lower() in d.name.lower()]
    if len(match) != 1:
        known = "; ".join(d.label() for d in devices)
        what = "matches several input devices" if match else "is not an input device"
        raise UserError(f"--device {choice}: {what}; choose one of: {known}")
    return match[0]


class MicrophoneSource:
    """Live audio from an input device; `read` gives 16-kHz mono, the recorder gets the device's rate."""

    def __init__(self, device: InputDevice, record_to: str | Path | None = None) -> None:
        self.device = device
        self.name = device.name
        self.level_db = SILENCE_DB
        self.recorder: WavRecorder | None = None
        self._record_to = record_to
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._stream = None
        self._resampler = None
        self.rate = SAMPLE_RATE
        self.overflows = 0

    def start(self) -> None:
        sd = sounddevice()
        self.rate = self._pick_rate(sd)
        if self.rate != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(self.rate, SAMPLE_RATE, 1, dtype="float32")
        if self._record_to is not None:
            self.recorder = WavRecorder(self._record_to, int(self.rate))
        try:
            self._stream = sd.InputStream(device=self.device.index, channels=1, samplerate=self.rate, dtype="float32",
                                          blocksize=int(self.rate * BLOCK_S), callback=self._on_audio)
            self._stream.start()
        except Exception as exc:  # PortAudioError: busy, unplugged, no permission
            raise MediaError(f"{self.device.name}: could not open the input device ({exc}); "
                             "close other programs using it or choose another with --device") from exc

    def _pick_rate(self, sd) -> float:
        try:
            sd.check_input_settings(device=self.device.index, channels=1, dtype="float32", samplerate=SAMPLE_RATE)
            return SAMPLE_RATE
        except Exception:  # the device has a fixed rate: take its own and resample
            return self.device.default_rate

    def _on_audio(self, indata: np.ndarray, frames: int, time_info, status) -> None:
        """PortAudio's thread: copy, measure, queue; never block."""
        if status and status.input_overflow:
            self.overflows += 1
        block = indata[:, 0].copy()
        self.level_db = level_db(block)
        self._blocks.put(block)

    def read(self, timeout_s: float) -> np.ndarray | None:
        parts = []
        try:
            parts.append(self._blocks.get(timeout=timeout_s) if timeout_s > 0 else self._blocks.get_nowait())
            while True:
                parts.append(self._blocks.get_nowait())
        except queue.Empty:
            pass
        if not parts:
            return np.zeros(0, np.float32)
        native = np.concatenate(parts)
        if self.recorder is not None:
            self.recorder.write(native)
        if self._resampler is None:
            return native
        return self._resampler.resample_chunk(native)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        if self.recorder is not None:
            self.recorder.close()
