"""`subtitler align MEDIA TEXT -o OUT`: time a transcript or retime subtitles against the speech (forced alignment).

TEXT is a plain transcript (.txt: cut into cues by the reading rules, line ends preferred as
breaks) or subtitles (.srt, .vtt, .ass, .ssa, .subtitler.json: every cue keeps its text and
styling and gets new times from its words). OUT's extension picks the format; .json is
openai-whisper's shape with one segment per cue and its words.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from subtitler.cli_asr import ProgressBar, _add_model_args, _check_input, _check_output, _decode, _load_engine
from subtitler.errors import UserError

ALIGN_SUFFIXES = (".srt", ".vtt", ".ass", ".json", ".subtitler.json")


def register(sub: "argparse._SubParsersAction") -> None:
    """Add `align` to the `subtitler` parser."""
    p = sub.add_parser("align", help="time a known transcript or retime subtitles against the speech",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("media", metavar="MEDIA", help="audio or video file ffmpeg can read")
    p.add_argument("text", metavar="TEXT", help="transcript (.txt) or subtitles (.srt .vtt .ass .subtitler.json) of the speech")
    p.add_argument("-o", "--output", required=True, help="output file; its extension picks the format: " + " ".join(ALIGN_SUFFIXES))
    p.add_argument("--force", action="store_true", help="let -o overwrite TEXT, the media or a file that is not a subtitle file")
    _add_model_args(p)
    p.add_argument("--language", default="auto", help="language of the text and speech (en, de, ...) or auto (default)")
    p.set_defaults(func=run_align)


@dataclass(frozen=True)
class TextSource:
    """What TEXT held: the lines of a transcript, or a subtitle document whose cues are retimed."""

    path: Path
    lines: tuple[str, ...] = ()
    document: object | None = None  # subtitler.core.document.Document

    @property
    def texts(self) -> list[str]:
        if self.document is None:
            return list(self.lines)
        from subtitler.core.word_alignment import spoken_text

        return [spoken_text(cue) for cue in self.document]


def read_text_source(file: str) -> TextSource:
    """A transcript or subtitles, by extension, else by content; UserError names the file and what to give."""
    from subtitler.formats.encoding import decode_bytes
    from subtitler.formats.registry import format_for_path, read_document, sniff

    path = Path(file)
    if not path.is_file():
        raise UserError(f"{file}: no such file; give the transcript (.txt) or the subtitles (.srt, .vtt, .ass) to align")
    kind = format_for_path(path)
    if kind not in (None, "txt"):
        result = read_document(path)
        for warning in result.warnings:
            print(f"subtitler: warning: {file}: {warning}", file=sys.stderr)
        return TextSource(path, document=result.document)
    text = decode_bytes(path.read_bytes(), None, str(path)).text.removeprefix("\ufeff")
    if kind is None and sniff(text) is not None:
        return TextSource(path, document=read_document(path).document)
    return TextSource(path, lines=tuple(line for line in text.splitlines() if line.strip()))


def run_align(args: argparse.Namespace) -> int:
    output = _check_output(args.output, [args.media, args.text], args.force, ALIGN_SUFFIXES)
    media = _check_input(args.media, args.audio_track)
    source = read_text_source(args.text)
    if not any(t.strip() for t in source.texts):
        raise UserError(f"{args.text}: the text is empty; give the transcript of the speech in {media.name}")
    from subtitler.asr.forced_alignment import AlignmentError, ForcedAlignmentOptions, align_texts
    from subtitler.asr.user_options import parse_language

    language = parse_language(args.language)

    audio = _decode(media, args.audio_track)  # before the model loads: bad media costs no loading time
    engine = _load_engine(args)
    progress = ProgressBar(sys.stderr)
    try:
        alignment, per_text = align_texts(engine.model, engine.tokenizer, audio, source.texts,
                                          ForcedAlignmentOptions(language=language), on_progress=progress.update)
    except AlignmentError as exc:
        named = {"text": args.text, "audio": args.media}.get(exc.about, f"{args.text} and {args.media}")
        raise UserError(f"{named}: {exc}") from None
    finally:
        progress.finish()
    for warning in alignment.warnings:
        print(f"subtitler: warning: {args.media}: {warning}", file=sys.stderr)
    document = _aligned_document(source, per_text, alignment.language, media, len(audio) / 16_000)
    _write(document, output)
    words = sum(len(w) for w in per_text)
    print(f"{output}: {len(document)} cues, {words} words aligned ({alignment.language})", file=sys.stderr)
    return 0


def _aligned_document(source: TextSource, per_text, language: str, media: Path, duration_s: float):
    from subtitler.asr.aligned_document import cues_from_lines, retimed_cues
    from subtitler.core.document import Document

    if source.document is None:
        return Document(cues_list=cues_from_lines(per_text, language, duration_s), language=language, media_path=str(media.resolve()))
    read = source.document
    return Document(cues_list=retimed_cues(read.cues, per_text, language, duration_s), media_path=str(media.resolve()),
                    frame_rate=read.frame_rate, language=language, metadata=dict(read.metadata))


def _write(document, output: Path) -> None:
    from subtitler.asr.aligned_document import result_dict
    from subtitler.core.atomic import atomic_write_text
    from subtitler.formats.registry import write_document

    name = output.name.lower()
    if name.endswith(".json") and not name.endswith(".subtitler.json"):
        atomic_write_text(output, json.dumps(result_dict(document), ensure_ascii=False, indent=2) + "\n")
    else:
        from subtitler.cli_subtitles import warn

        warn(str(output), write_document(document, output))
