"""`subtitler live`: captions as someone speaks, from a microphone or a media file played in real time.

Committed text goes to stdout as it is committed (it never changes afterwards). On a terminal the
tentative guess follows it on the same line, dimmed, and is redrawn at every decode; piped output
gets committed text only. The subtitle file is written from committed words alone, when the source
ends or on Ctrl+C (the audio in the buffer is decoded once more and committed first; a second
Ctrl+C writes at once).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TextIO

from subtitler.cli_asr import _check_output as check_output
from subtitler.cli_asr import load_engine_for_cli
from subtitler.errors import UserError

DEFAULT_LIVE_MODEL = "base"
LIVE_OUTPUT_SUFFIXES = (".srt", ".vtt", ".ass", ".txt", ".subtitler.json")
DIM, RESET, CLEAR_LINE = "\033[2m", "\033[0m", "\r\033[K"


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("live", help="live captions from a microphone (or a media file played in real time)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--device", default=None, metavar="N",
                       help="input device: its number or part of its name from --list-devices (default: the system's)")
    where.add_argument("--file", default=None, metavar="MEDIA", help="play this audio/video file as the live source")
    where.add_argument("--list-devices", action="store_true", help="list the input devices and exit")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="with --file: times real time (1 = real time, 4 = four times faster, 0 = as fast as decoding goes)")
    p.add_argument("-m", "--model", default=DEFAULT_LIVE_MODEL, help=f"model name or path (default {DEFAULT_LIVE_MODEL})")
    p.add_argument("--compute", default="auto", choices=("auto", "cpu", "cuda"), help="where to run the model")
    p.add_argument("--offline", action="store_true", help="never download a model; fail if it is not installed")
    p.add_argument("--language", default="auto", help="spoken language code (en, de, ...) or auto (default)")
    p.add_argument("--no-vad", action="store_true", help="decode silence too (by default pauses are skipped)")
    p.add_argument("-o", "--output", default=None, metavar="OUT.srt",
                   help="subtitle file written at the end or on Ctrl+C: .srt .vtt .ass .txt or .subtitler.json")
    p.add_argument("--record", default=None, metavar="OUT.wav", help="also save the captured audio as a WAV file")
    p.add_argument("--force", action="store_true", help="overwrite an existing recording, or an output that is the --file itself")
    p.set_defaults(func=_cmd_live)


def _cmd_live(args: argparse.Namespace) -> int:
    if args.list_devices:
        return _list_devices()
    inputs = [args.file] if args.file else []
    output = check_output(args.output, inputs, args.force, LIVE_OUTPUT_SUFFIXES)
    record = check_output(args.record, inputs, args.force, (".wav",))
    if args.speed < 0:
        raise UserError(f"--speed {args.speed}: give 0 (as fast as possible) or a positive factor such as 1 or 4")
    source = _open_source(args, record)  # before the model loads: a missing device is told at once
    import dataclasses

    from subtitler.asr.live_session import LiveSession
    from subtitler.asr.streaming import StreamingOptions, live_transcribe_options
    from subtitler.asr.user_options import parse_language

    engine = load_engine_for_cli(args.model, args.compute, args.offline)
    transcribe = dataclasses.replace(live_transcribe_options(), language=parse_language(args.language))
    engine.check_options(transcribe)
    printer = LivePrinter(sys.stdout)
    session = LiveSession(engine, source, StreamingOptions(transcribe=transcribe, vad=not args.no_vad), on_update=printer.update)
    print(f"live: {source.name} (Ctrl+C to stop)", file=sys.stderr)
    session.start()
    interrupted = False
    try:
        while not session.ended:
            session.pump()
    except KeyboardInterrupt:
        interrupted = True
    try:
        session.finish(drain=not interrupted)
    except KeyboardInterrupt:  # a second Ctrl+C: write what is committed now
        interrupted = True
    finally:
        printer.close()
        if output is not None:
            _write(session, output, record)
    if interrupted:
        print("subtitler: stopped", file=sys.stderr)
        return 130
    return 0


class LivePrinter:
    """Committed words as they come; on a terminal the tentative rest dimmed after them, redrawn in place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._line = ""  # committed text on the current line

    def update(self, update, cues) -> None:
        text = update.committed_text
        if self.tty:
            self._line += text
            width = shutil.get_terminal_size((80, 24)).columns - 1
            if update.utterance_ended or len(self._line) > width * 3 // 4:
                self.stream.write(CLEAR_LINE + self._line.strip() + "\n")
                self._line = ""
            tentative = update.tentative_text
            room = max(0, width - len(self._line.strip()) - 1)
            shown = tentative if len(tentative) <= room else "…" + tentative[len(tentative) - room + 1:]
            self.stream.write(CLEAR_LINE + self._line.strip() + (DIM + shown + RESET if shown else ""))
        else:
            self.stream.write(text.lstrip() if not self._line else text)
            self._line += text
            if update.utterance_ended and self._line:
                self.stream.write("\n")
                self._line = ""
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write(CLEAR_LINE + self._line.strip() + ("\n" if self._line.strip() else ""))
        elif self._line:
            self.stream.write("\n")
        self._line = ""
        self.stream.flush()


def _open_source(args: argparse.Namespace, record: Path | None):
    if args.file is not None:
        from subtitler.media.live_sources import FileSource

        return FileSource(args.file, speed=args.speed, record_to=record)
    from subtitler.media.microphone import MicrophoneSource, find_input_device

    return MicrophoneSource(find_input_device(args.device), record_to=record)


def _list_devices() -> int:
    from subtitler.media.microphone import NO_DEVICE, list_input_devices

    devices = list_input_devices()
    if not devices:
        raise UserError(NO_DEVICE)
    for device in devices:
        print(device.label())
    return 0


def _write(session, output: Path, record: Path | None) -> None:
    from subtitler.core.atomic import atomic_write_text

    if output.name.lower().endswith(".txt"):
        atomic_write_text(output, "".join(c.text.strip() + "\n" for c in session.result.cues))
    else:
        from subtitler.formats.registry import write_document

        write_document(session.document(record), output)
    print(f"wrote {output} ({len(session.result.cues)} cues)", file=sys.stderr)
