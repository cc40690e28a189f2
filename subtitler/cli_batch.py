"""`subtitler transcribe A.mp4 FOLDER 'talks/*.mkv' --output-dir OUT -f srt,vtt,json`: many files, one model.

Each file goes through exactly the steps of a single-file run (the same decode, transcription
and writer), so its outputs equal what `subtitler transcribe FILE -o OUT/NAME.srt` writes.
Outputs that exist already are kept and a file whose outputs all exist is skipped (unless
--overwrite), so an interrupted batch picks up where it stopped. A bad file does not stop
the others: its line is printed when it fails and again in the list at the end, and the
exit status is 1.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from subtitler.cli_asr import (
    OUTPUT_SUFFIXES, ProgressBar, _check_input, _decode, _load_engine, _options, _write_output, transcribe_file,
    check_transcribe_arguments, find_turns,
)
from subtitler.core.atomic import write_refused
from subtitler.errors import Cancelled, UserError
from subtitler.media.extensions import is_media_name

_GLOB_CHARS = "*?["


@dataclass(frozen=True)
class BatchItem:
    """One input file and the output files it should get."""

    source: Path
    outputs: tuple[Path, ...]

    def missing(self, overwrite: bool) -> tuple[Path, ...]:
        return self.outputs if overwrite else tuple(p for p in self.outputs if not p.exists())


@dataclass(frozen=True)
class Failure:
    name: str
    message: str


def is_batch(args: argparse.Namespace) -> bool:
    """Several inputs, a folder, a pattern the shell left unexpanded, or an output folder."""
    if args.output_dir is not None or len(args.files) > 1:
        return True
    only = args.files[0]
    return os.path.isdir(only) or (_is_pattern(only) and not os.path.exists(only))


def parse_formats(text: str) -> tuple[str, ...]:
    """'srt,vtt,json' -> ('.srt', '.vtt', '.json'); an unknown name is the user's error."""
    known = {s[1:]: s for s in OUTPUT_SUFFIXES}
    names = [n.strip().lower().lstrip(".") for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UserError(f"-f {text}: unknown output format; use a comma-separated list of {', '.join(known)}")
    return tuple(dict.fromkeys(known[n] for n in names))


def expand_inputs(patterns: list[str]) -> tuple[list[Path], list[Failure]]:
    """Files named, the media files directly inside folders named, and the files a glob pattern matches.

    A file named explicitly is always tried (ffmpeg decides); a folder contributes only files
    with an audio/video extension, so its subtitles and notes are not reported as failures.
    """
    found: dict[Path, Path] = {}
    failures: list[Failure] = []
    for pattern in patterns:
        path = Path(pattern)
        # os.path answers False for names the system refuses (too long, NUL): they fail later with one line
        if os.path.isdir(pattern):
            files = sorted(p for p in path.iterdir() if p.is_file() and is_media_name(p.name))
            if not files:
                failures.append(Failure(pattern, f"{pattern}: no audio or video files in this folder"))
        elif os.path.exists(pattern) or not _is_pattern(pattern):
            files = [path]  # a missing file fails later with the single-file message
        else:
            files = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not files:
                failures.append(Failure(pattern, f"{pattern}: no file matches this pattern"))
        for file in files:
            found.setdefault(file.resolve(), file)
    return list(found.values()), failures


def plan_outputs(sources: list[Path], out_dir: Path, suffixes: tuple[str, ...]) -> list[BatchItem]:
    """OUT/stem.srt for each input; inputs sharing a stem (talk.wav, talk.mp4) keep their extension in the name."""
    stems: dict[str, int] = {}
    for source in sources:
        stems[source.stem.lower()] = stems.get(source.stem.lower(), 0) + 1
    items = []
    for source in sources:
        base = source.name if stems[source.stem.lower()] > 1 else source.stem
        items.append(BatchItem(source, tuple(out_dir / f"{base}{suffix}" for suffix in suffixes)))
    return items


def run_batch(args: argparse.Namespace) -> int:
    """Transcribe every input; status 0 when all went well, 1 when some failed (listed at the end)."""
    if args.output is not None:
        raise UserError(f"-o {args.output} names one output file; for several inputs use --output-dir OUT -f srt,vtt,...")
    if args.output_dir is None:
        raise UserError(f"{len(args.files)} inputs: name a folder for their subtitles with --output-dir OUT")
    suffixes = parse_formats(args.formats or "srt")
    if args.max_words_per_cue is not None and args.max_words_per_cue < 1:
        raise UserError(f"--max-words-per-cue {args.max_words_per_cue}: use 1 or more")
    options = _options(args)  # wrong flags fail before anything is loaded
    speakers = check_transcribe_arguments(args)
    out_dir = _output_dir(args.output_dir)
    sources, failures = expand_inputs(args.files)
    items = plan_outputs(sources, out_dir, suffixes)
    todo = [item for item in items if item.missing(args.overwrite)]
    engine = _load_engine(args) if todo else None
    started = time.monotonic()
    runner = _Runner(args, engine, options, len(items), speakers)
    for failure in failures:  # patterns that matched nothing: said first, listed again at the end
        runner.say(f"{failure.message}")
    for index, item in enumerate(items):
        failure = runner.run(index, item)
        if failure is not None:
            failures.append(failure)
    runner.progress.finish()
    _print_summary(runner, failures, time.monotonic() - started)
    return 1 if failures else 0


class _Runner:
    """Runs one item after another and keeps the counts for the summary."""

    def __init__(self, args: argparse.Namespace, engine, options, total: int, speakers=None) -> None:
        self.args, self.engine, self.options, self.total = args, engine, options, total
        self.speakers = speakers  # SpeakerCount when --speakers asks for speaker labels
        self.progress = ProgressBar(sys.stderr, unit="files")
        self.done = self.skipped = 0

    def run(self, index: int, item: BatchItem) -> Failure | None:
        head = f"[{index + 1}/{self.total}] {item.source}"
        missing = item.missing(self.args.overwrite)
        if not missing:
            self.skipped += 1
            self.say(f"{head}: skipped, its outputs exist (--overwrite to redo)")
            return None
        began = time.monotonic()
        try:
            self._transcribe(index, item.source, missing)
        except (Cancelled, KeyboardInterrupt):
            raise
        except UserError as exc:
            return self._failed(head, item, str(exc))
        except Exception as exc:  # a bug on one file must not cost the rest of a long batch; --debug shows it
            if getattr(self.args, "debug", False):
                raise
            return self._failed(head, item, f"{item.source}: unexpected error ({type(exc).__name__}: {exc}); "
                                            "run it alone with --debug and report the traceback")
        self.done += 1
        self.say(f"{head}: done in {time.monotonic() - began:.1f} s")
        return None

    def _transcribe(self, index: int, source: Path, outputs: tuple[Path, ...]) -> None:
        media = _check_input(str(source), self.args.audio_track)
        audio = _decode(media, self.args.audio_track)

        def overall(done: float, total: float) -> None:
            self.progress.update(index + (done / total if total > 0 else 1.0), self.total)

        info, segments = transcribe_file(self.engine, audio, self.options, on_progress=overall)
        turns = None if self.speakers is None else find_turns(audio, self.speakers)
        self.progress.clear()  # the writer's "wrote ..." lines start on a clean line
        for output in outputs:
            # --max-words-per-cue and --highlight-words shape the subtitle formats; json and txt ignore them
            _write_output(output, media, info, segments, self.args.max_words_per_cue, self.args.highlight_words,
                          turns, self.args.speaker_names)

    def _failed(self, head: str, item: BatchItem, message: str) -> Failure:
        self.say(f"{head.split(' ', 1)[0]} failed: {message}")  # the message names the file
        return Failure(str(item.source), message)

    def say(self, line: str) -> None:
        self.progress.clear()
        print(line, file=sys.stderr, flush=True)


def _print_summary(runner: _Runner, failures: list[Failure], seconds: float) -> None:
    print(f"transcribed {runner.done}, skipped {runner.skipped}, failed {len(failures)} in {seconds:.1f} s",
          file=sys.stderr)
    if failures:
        print(f"subtitler: {len(failures)} input(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure.message}", file=sys.stderr)


def _output_dir(name: str) -> Path:
    path = Path(name)
    if path.exists() and not path.is_dir():
        raise UserError(f"--output-dir {name}: is a file, not a folder; choose a folder for the subtitles")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--output-dir {name}: cannot create it ({exc.strerror or exc}); choose another folder") from None
    reason = write_refused(path)  # checked before the model loads: not after the first file's transcription
    if reason is not None:
        raise UserError(f"--output-dir {name}: cannot write in it ({reason}); choose another folder")
    return path


def _is_pattern(text: str) -> bool:
    return any(c in text for c in _GLOB_CHARS)
