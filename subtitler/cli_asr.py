"""`subtitler transcribe`, `subtitler detect` and `subtitler models`: speech recognition from the shell.

Everything heavy (torch, the model) is imported inside the handlers so that
`subtitler --help` and the GUI start stay fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from subtitler.cli_decoding import add_decoding_args, decoding_options
from subtitler.errors import UserError

OUTPUT_SUFFIXES = (".srt", ".vtt", ".txt", ".json", ".ass", ".subtitler.json")
DEFAULT_MODEL = "base"


def register(sub: "argparse._SubParsersAction") -> None:
    """Add transcribe, detect and models."""
    _register_transcribe(sub)
    _register_detect(sub)
    _register_models(sub)


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", "--model", default=DEFAULT_MODEL,
                        help=f"model name (tiny.en, base, small, large-v3, large-v3-turbo, ...) or path (default {DEFAULT_MODEL})")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where to run the model")
    parser.add_argument("--offline", action="store_true", help="never download a model; fail if it is not installed")
    parser.add_argument("--audio-track", type=int, default=0, metavar="N", help="which audio track (0 = first)")


def _register_transcribe(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("transcribe", help="speech to subtitles (.srt .vtt .txt .json); many files with --output-dir")
    p.add_argument("files", nargs="+", metavar="file",
                   help="audio or video file ffmpeg can read; with --output-dir also folders and glob patterns")
    _add_model_args(p)
    p.add_argument("--language", default="auto", help="spoken language code (en, de, ...) or auto (default)")
    p.add_argument("--task", default="transcribe", choices=("transcribe", "translate"), help="translate gives English")
    p.add_argument("--max-words-per-cue", type=int, default=None, metavar="N",
                   help="at most N words in one cue (.srt .vtt .ass .subtitler.json)")
    p.add_argument("--highlight-words", action="store_true",
                   help="mark each word as it is spoken: underlined in .srt/.vtt, karaoke tags in .ass")
    p.add_argument("-o", "--output", default=None, help="output file; its extension picks the format: " + " ".join(OUTPUT_SUFFIXES))
    batch = p.add_argument_group("several files (batch)")
    batch.add_argument("--output-dir", default=None, metavar="OUT",
                       help="write OUT/NAME.FORMAT for every input; one model serves them all")
    batch.add_argument("-f", "--formats", default=None, metavar="LIST",
                       help="comma-separated output formats for --output-dir: " + ",".join(s[1:] for s in OUTPUT_SUFFIXES) + " (default srt)")
    batch.add_argument("--overwrite", action="store_true", help="transcribe again files whose outputs exist already")
    add_decoding_args(p)
    p.set_defaults(func=_cmd_transcribe)


def _register_detect(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("detect", help="spoken language of the first 30 s, top five with probabilities")
    p.add_argument("file", help="audio or video file ffmpeg can read")
    _add_model_args(p)
    p.set_defaults(func=_cmd_detect)


def _register_models(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("models", help="list or download Whisper models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    lst = msub.add_parser("list", help="installed and downloadable models")
    lst.set_defaults(func=_cmd_models_list)
    dl = msub.add_parser("download", help="download a named model into the user's models folder")
    dl.add_argument("name")
    dl.set_defaults(func=_cmd_models_download)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


# --- handlers -------------------------------------------------------------------

def _cmd_transcribe(args: argparse.Namespace) -> int:
    from subtitler.cli_batch import is_batch, run_batch

    if is_batch(args):
        return run_batch(args)
    if args.formats is not None:
        raise UserError(f"-f {args.formats} goes with --output-dir OUT; for one file, -o NAME.srt picks the format")
    output = _check_output(args.output)
    _check_cue_options(args, output)
    media = _check_input(args.files[0])
    options = _options(args)
    engine = _load_engine(args)
    audio = _decode(media, args.audio_track)
    progress = ProgressBar(sys.stderr)

    def show(segment) -> None:
        if output is None:
            progress.clear()
            print(f"[{_clock(segment.start)} --> {_clock(segment.end)}] {segment.text.strip()}", flush=True)

    def dropped(d) -> None:
        progress.clear()
        print(f"subtitler: dropped ({d.reason}) [{_clock(d.start)} --> {_clock(d.end)}] {d.text.strip()}", file=sys.stderr)

    info, segments = transcribe_file(engine, audio, options, on_progress=progress.update, on_segment=show,
                                     on_dropped=dropped if args.show_dropped else None)
    progress.finish()
    _write_output(output, media, info, segments, args.max_words_per_cue, args.highlight_words)
    return 0


def transcribe_file(engine, audio, options, on_progress=None, on_segment=None, on_dropped=None):
    """Run the whole transcription; returns (TranscriptionInfo, segments). One file in batch runs exactly this too."""
    infos, segments = [], []
    for segment in engine.transcribe(audio, options, on_progress=on_progress, on_info=infos.append, on_dropped=on_dropped):
        segments.append(segment)
        if on_segment is not None:
            on_segment(segment)
    return infos[0], segments


def _cmd_detect(args: argparse.Namespace) -> int:
    media = _check_input(args.file)
    engine = _load_engine(args)
    if not engine.multilingual:
        raise UserError(f"{args.model}: an English-only model cannot detect languages; use -m base or another multilingual model")
    from subtitler.asr.tokenizer import LANGUAGES

    probs = engine.detect_language(_decode(media, args.audio_track))
    for code, p in list(probs.items())[:5]:
        print(f"{code}\t{p:.4f}\t{LANGUAGES.get(code, code)}")
    return 0


def _cmd_models_list(args: argparse.Namespace) -> int:
    from subtitler.asr.models import list_models

    for info in list_models():
        where = str(info.path) if info.path else "not installed (subtitler models download NAME)"
        kind = "multilingual" if info.multilingual else "English"
        size = f"{info.size_bytes / 1e6:.0f} MB" if info.size_bytes else "-"
        print(f"{info.name:<16} {kind:<12} {size:>8}  {info.source:<8} {where}")
    return 0


def _cmd_models_download(args: argparse.Namespace) -> int:
    from subtitler.asr.models import download_model

    progress = ProgressBar(sys.stderr, unit="MB", scale=1e-6)
    path = download_model(args.name, on_progress=progress.update)
    progress.finish()
    print(path)
    return 0


# --- helpers ------------------------------------------------------------------------

def _check_output(output: str | None, suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> Path | None:
    """Reject a bad output path before spending minutes on recognition."""
    if output is None:
        return None
    path = Path(output)
    if not any(path.name.lower().endswith(s) for s in suffixes):
        raise UserError(f"{output}: unknown output format; end the name with one of {' '.join(suffixes)}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{output}: folder {folder} does not exist; create it or choose another output path")
    return path


def _check_cue_options(args: argparse.Namespace, output: Path | None) -> None:
    """--max-words-per-cue and --highlight-words shape cues: refuse them where no cues are written."""
    asked = [flag for flag, given in (("--max-words-per-cue", args.max_words_per_cue is not None),
                                      ("--highlight-words", args.highlight_words)) if given]
    if not asked:
        return
    if args.max_words_per_cue is not None and args.max_words_per_cue < 1:
        raise UserError(f"--max-words-per-cue {args.max_words_per_cue}: use 1 or more")
    if output is None or _format_of(output) in ("json", "txt"):
        where = "without -o" if output is None else f"for {output}"
        raise UserError(f"{' and '.join(asked)} shape subtitle cues, which are not written {where}; "
                        "write .srt, .vtt, .ass or .subtitler.json with -o")
    if args.highlight_words:
        from subtitler.formats.highlight import FORMATS

        if _format_of(output) not in FORMATS:
            raise UserError(f"--highlight-words: {output} keeps every word's time already; highlight in .srt, .vtt or .ass")
        if args.word_timestamps is False:
            raise UserError("--highlight-words needs word timings: drop --no-word-timestamps")


def _format_of(output: Path) -> str:
    """'json' (openai-whisper's result), 'txt', or the subtitle format the registry writes for the name."""
    name = output.name.lower()
    if name.endswith(".json") and not name.endswith(".subtitler.json"):
        return "json"
    from subtitler.formats.registry import format_for_path

    return format_for_path(output) or ""


def _options(args: argparse.Namespace):
    """TranscribeOptions from the flags; wrong values are UserErrors before any model loads."""
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.asr.user_options import parse_language

    return decoding_options(args, TranscribeOptions(task=args.task, language=parse_language(args.language)))


def _check_input(file: str) -> Path:
    from subtitler.media.probe import check_readable

    return check_readable(file)


def _load_engine(args: argparse.Namespace):
    from subtitler.asr.engine import load_engine

    progress = ProgressBar(sys.stderr, unit="MB", scale=1e-6, label="download")
    engine = load_engine(args.model, device=args.device, allow_download=not args.offline, on_download_progress=progress.update)
    progress.finish()
    return engine


def _decode(media: Path, audio_track: int):
    import warnings

    from subtitler.media.decode import decode_audio

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        audio = decode_audio(media, audio_stream=audio_track)
    for w in caught:
        print(f"subtitler: warning: {w.message}", file=sys.stderr)
    return audio


def _write_output(output: Path | None, media: Path, info, segments, max_words: int | None = None,
                  highlight: bool = False) -> None:
    if output is None:
        return
    from subtitler.asr.result import plain_text, result_dict, segments_to_document
    from subtitler.core.atomic import atomic_write_text
    from subtitler.core.segmentation import SegmentOptions

    kind = _format_of(output)
    if kind == "json":
        atomic_write_text(output, json.dumps(result_dict(info, segments), ensure_ascii=False, indent=2) + "\n")
    elif kind == "txt":
        atomic_write_text(output, plain_text(segments))
    else:
        from subtitler.formats.highlight import FORMATS, highlighted
        from subtitler.formats.registry import write_document

        document = segments_to_document(segments, info, media, SegmentOptions(max_words=max_words))
        # a batch may ask for highlighting and also write .subtitler.json, which keeps every word's time anyway
        write_document(highlighted(document, kind) if highlight and kind in FORMATS else document, output)
    print(f"wrote {output}", file=sys.stderr)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{secs:06.3f}"


class ProgressBar:
    """A one-line bar on a terminal; silent when stderr is not a terminal (pipes, CI)."""

    def __init__(self, stream: TextIO, unit: str = "s", scale: float = 1.0, label: str = "") -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.unit, self.scale, self.label = unit, scale, label
        self._last = 0.0
        self._shown = False

    def update(self, done: float, total: float) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = min(1.0, done / total)
        bar = "#" * int(frac * 30)
        self.stream.write(f"\r{self.label}[{bar:<30}] {frac * 100:5.1f}% {done * self.scale:.0f}/{total * self.scale:.0f} {self.unit}")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
