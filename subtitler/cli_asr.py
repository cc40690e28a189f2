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
from typing import Iterable, TextIO

from subtitler.cli_decoding import add_decoding_args, decoding_options
from subtitler.cli_speakers import add_transcribe_arguments as add_speaker_arguments
from subtitler.cli_speakers import check_transcribe_arguments, find_turns
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
    add_compute_args(parser)
    parser.add_argument("--offline", action="store_true", help="never download a model; fail if it is not installed")
    parser.add_argument("--audio-track", type=int, default=0, metavar="N", help="which audio track (0 = first)")


def add_compute_args(parser: argparse.ArgumentParser) -> None:
    """How the model computes: the same two flags on every command that loads one (transcribe, align, serve)."""
    parser.add_argument("--compute-type", default="auto", choices=("auto", "float32", "int8", "float16", "bfloat16"),
                        help="arithmetic: auto = int8 on the CPU (1.2-1.8x as fast as float32 at float32's word error "
                             "rate), float16 on a GPU; float32 gives openai-whisper's output token for token")
    parser.add_argument("--threads", type=int, default=None, metavar="N", help="CPU threads (default: one per core)")


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
    p.add_argument("--force", action="store_true", help="let -o overwrite the input or a file that is not a subtitle file")
    batch = p.add_argument_group("several files (batch)")
    batch.add_argument("--output-dir", default=None, metavar="OUT",
                       help="write OUT/NAME.FORMAT for every input; one model serves them all")
    batch.add_argument("-f", "--formats", default=None, metavar="LIST",
                       help="comma-separated output formats for --output-dir: " + ",".join(s[1:] for s in OUTPUT_SUFFIXES) + " (default srt)")
    batch.add_argument("--overwrite", action="store_true", help="transcribe again files whose outputs exist already")
    add_decoding_args(p)
    add_speaker_arguments(p)
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
    """Check everything cheap first (output path, media, options), then load the model and decode."""
    from subtitler.cli_batch import is_batch, run_batch

    if is_batch(args):
        return run_batch(args)
    if args.formats is not None:
        raise UserError(f"-f {args.formats} goes with --output-dir OUT; for one file, -o NAME.srt picks the format")
    output = _check_output(args.output, [args.files[0]], args.force)
    _check_cue_options(args, output)
    speakers = check_transcribe_arguments(args)
    media = _check_input(args.files[0], args.audio_track)
    options = _options(args)
    _check_model(args, options.language, options.task)
    audio = _decode(media, args.audio_track)  # decoded before the model loads: bad media costs no loading time
    engine = _load_engine(args)
    progress = ProgressBar(sys.stderr)

    def show(segment) -> None:
        if output is None:
            progress.clear()
            print(f"[{_clock(segment.start)} --> {_clock(segment.end)}] {segment.text.strip()}", flush=True)

    def dropped(d) -> None:
        progress.clear()
        print(f"subtitler: dropped ({d.reason}) [{_clock(d.start)} --> {_clock(d.end)}] {d.text.strip()}", file=sys.stderr)

    started = time.perf_counter()
    info, segments = transcribe_file(engine, audio, options, on_progress=progress.update, on_segment=show,
                                     on_dropped=dropped if args.show_dropped else None)
    progress.finish()
    if not segments:
        print(f"subtitler: warning: {media}: no speech found; the output has no cues", file=sys.stderr)
    print(speed_line(info.duration, time.perf_counter() - started, engine.compute_type), file=sys.stderr)
    turns = None
    if speakers is not None:
        progress = ProgressBar(sys.stderr, label="speakers ")
        turns = find_turns(audio, speakers, progress.update)
        progress.finish()
        if output is None:
            _show_speakers(info, segments, turns)
    _write_output(output, media, info, segments, args.max_words_per_cue, args.highlight_words,
                  turns, args.speaker_names)
    return 0


def _show_speakers(info, segments, turns) -> None:
    """Without -o, the transcript again with who said each segment."""
    from subtitler.asr.result import result_dict

    for s in result_dict(info, segments, turns)["segments"]:
        print(f"[{_clock(s['start'])} --> {_clock(s['end'])}] {s['speaker']}: {s['text'].strip()}", flush=True)


def transcribe_file(engine, audio, options, on_progress=None, on_segment=None, on_dropped=None):
    """Run the whole transcription; returns (TranscriptionInfo, segments). One file in batch runs exactly this too."""
    infos, segments = [], []
    for segment in engine.transcribe(audio, options, on_progress=on_progress, on_info=infos.append, on_dropped=on_dropped):
        segments.append(segment)
        if on_segment is not None:
            on_segment(segment)
    return infos[0], segments


def speed_line(audio_s: float, wall_s: float, compute_type: str) -> str:
    """What a finished job tells the user about speed: audio length, time taken, realtime factor."""
    factor = f"{audio_s / wall_s:.1f}x realtime" if wall_s > 0 else "instant"
    return f"transcribed {audio_s:.1f} s of audio in {wall_s:.1f} s ({factor}, {compute_type})"


def _cmd_detect(args: argparse.Namespace) -> int:
    """Only the first 30 s are decoded (ffmpeg stops there), and before the model loads."""
    from subtitler.asr.audio import CHUNK_LENGTH

    media = _check_input(args.file, args.audio_track)
    english_only = UserError(f"{args.model}: an English-only model cannot detect languages; use -m base or another multilingual model")
    if _check_model(args, None, "transcribe"):
        raise english_only
    audio = _decode(media, args.audio_track, duration_s=CHUNK_LENGTH)
    engine = _load_engine(args)
    if not engine.multilingual:
        raise english_only
    from subtitler.asr.tokenizer import LANGUAGES

    probs = engine.detect_language(audio)
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

def _check_output(output: str | None, inputs: Iterable[str], force: bool,
                  suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> Path | None:
    """Reject a bad output path before spending minutes on recognition: wrong type, missing or read-only
    folder, a folder, an input itself or a file that is not a subtitle file (without --force)."""
    if output is None:
        return None
    from subtitler.cli_paths import check_output

    path = check_output(output, inputs, force, suffixes)
    if not path.name.lower().endswith(suffixes):
        raise UserError(f"{output}: unknown output format; end the name with one of {' '.join(suffixes)}")
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


def _check_input(file: str, audio_track: int = 0) -> Path:
    """The media file probed and its audio track checked, before seconds go into loading a model."""
    from subtitler.errors import MediaError
    from subtitler.media.probe import probe, require_audio_stream

    info = probe(file)
    require_audio_stream(info, audio_track)
    if info.duration_s == 0:  # a header and no samples: an empty result would be written without a word
        raise MediaError(f"{info.path}: holds no sound (0 s of audio); choose a file with sound")
    return info.path


def _check_model(args: argparse.Namespace, language: str | None, task: str) -> bool:
    """Fail fast on a model that is unknown, or that cannot be downloaded; True for a known English-only model.

    A known English-only model asked for another language or translation is refused here,
    before any decoding; a model given by path is checked when it loads.
    """
    from subtitler.asr.models import canonical_name, find_model
    from subtitler.errors import ModelError

    try:
        find_model(args.model)
    except ModelError:
        if canonical_name(args.model) is None or args.offline:
            raise
    english_only = (canonical_name(args.model) or "").endswith(".en")
    if english_only and language not in (None, "en"):
        raise UserError(f"{args.model}: this English-only model cannot transcribe '{language}'; use a multilingual model such as 'base'")
    if english_only and task == "translate":
        raise UserError(f"{args.model}: this English-only model cannot translate; use a multilingual model such as 'base'")
    return english_only


def _load_engine(args: argparse.Namespace):
    return load_engine_for_cli(args.model, args.device, args.offline, args.compute_type, args.threads)


def load_engine_for_cli(model: str, device: str, offline: bool, compute_type: str = "auto", threads: int | None = None):
    """The model, downloading it with a progress bar on stderr unless `offline`."""
    from subtitler.asr.engine import load_engine

    progress = ProgressBar(sys.stderr, unit="MB", scale=1e-6, label="download")
    engine = load_engine(model, device=device, compute_type=compute_type, threads=threads,
                         allow_download=not offline, on_download_progress=progress.update)
    progress.finish()
    return engine


def _decode(media: Path, audio_track: int, duration_s: float | None = None):
    import warnings

    from subtitler.media.decode import decode_audio

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        audio = decode_audio(media, audio_stream=audio_track, duration_s=duration_s)
    for w in caught:
        print(f"subtitler: warning: {w.message}", file=sys.stderr)
    return audio


def _write_output(output: Path | None, media: Path, info, segments, max_words: int | None = None,
                  highlight: bool = False, turns=None, speaker_names: bool = False) -> None:
    """Write the result (with speaker ``turns``, cues and words carry speakers; ``speaker_names``: named in SRT/TXT text);
    if that fails after all (disk full, folder gone), keep it elsewhere and say where."""
    if output is None:
        return
    try:
        _write_result(output, media, info, segments, max_words, highlight, turns, speaker_names)
    except (UserError, OSError) as error:
        from subtitler.cli_paths import fallback_path

        kept = fallback_path(output)
        reason = str(error) if isinstance(error, UserError) else (error.strerror or str(error))
        try:
            _write_result(kept, media, info, segments, max_words, highlight, turns, speaker_names)
        except (UserError, OSError) as second:
            raise UserError(f"{output}: could not be written ({reason}), nor kept at {kept} ({second}); "
                            "run again with another -o") from None
        raise UserError(f"{output}: could not be written ({reason}); the result was saved to {kept} instead") from None
    print(f"wrote {output}", file=sys.stderr)


def _write_result(output: Path, media: Path, info, segments, max_words: int | None, highlight: bool,
                  turns=None, speaker_names: bool = False) -> None:
    from subtitler.asr.result import plain_text, result_dict, segments_to_document
    from subtitler.core.atomic import atomic_write_text
    from subtitler.core.segmentation import SegmentOptions

    kind = _format_of(output)
    if kind == "json":
        atomic_write_text(output, json.dumps(result_dict(info, segments, turns), ensure_ascii=False, indent=2) + "\n")
    elif kind == "txt" and turns is None:
        atomic_write_text(output, plain_text(segments))
    else:
        from subtitler.cli_subtitles import warn
        from subtitler.core.speaker_text import name_labels
        from subtitler.formats.highlight import FORMATS, highlighted
        from subtitler.formats.registry import write_document

        document = segments_to_document(segments, info, media, SegmentOptions(max_words=max_words), turns)
        if speaker_names and kind in ("srt", "txt"):
            document.cues_list = name_labels(document.cues_list)
        # a batch may ask for highlighting and also write .subtitler.json, which keeps every word's time anyway
        warn(str(output), write_document(highlighted(document, kind) if highlight and kind in FORMATS else document, output))


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
