"""`subtitler diarize` and the speaker flags of `subtitler transcribe`: who speaks when, from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from subtitler.errors import UserError

SPEAKERS_HELP = "number of speakers: auto (estimated, the default), N, or MIN-MAX"


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("diarize", help="who speaks when: speaker turns as RTTM (offline, on the CPU)")
    p.add_argument("file", help="audio or video file ffmpeg can read")
    p.add_argument("-o", "--output", default=None, metavar="OUT.rttm", help="write the turns here (default: print them)")
    p.add_argument("--speakers", default="auto", metavar="N|auto|MIN-MAX", help=SPEAKERS_HELP)
    p.add_argument("--audio-track", type=int, default=0, metavar="N", help="which audio track (0 = first)")
    p.set_defaults(func=_cmd_diarize)


def add_transcribe_arguments(parser: argparse.ArgumentParser) -> None:
    """`transcribe --speakers [N|auto|MIN-MAX]` and `--speaker-names`."""
    group = parser.add_argument_group("speakers")
    group.add_argument("--speakers", nargs="?", const="auto", default=None, metavar="N|auto|MIN-MAX",
                       help="label who speaks: cues and words get speakers (VTT <v Name>, ASS actor, JSON 'speaker'); "
                            + SPEAKERS_HELP)
    group.add_argument("--speaker-names", action="store_true",
                       help="with --speakers, SRT and TXT text start each speaker's turn with 'Name: '")


def parse_speaker_count(text: str):
    """SpeakerCount from 'auto', 'N' or 'MIN-MAX'; anything else is a UserError."""
    from subtitler.asr.speakers.clustering import SpeakerCount

    value = text.strip().lower()
    try:
        if value == "auto":
            return SpeakerCount()
        if "-" in value:
            low, high = (int(v) for v in value.split("-", 1))
            return SpeakerCount(minimum=low, maximum=high)
        return SpeakerCount(exact=int(value))
    except ValueError as exc:
        detail = str(exc) if "speakers" in str(exc) else "use auto, a number such as 2, or a range such as 2-4"
        raise UserError(f"--speakers {text}: {detail}") from None


def check_transcribe_arguments(args: argparse.Namespace):
    """The SpeakerCount asked for (None: no speakers), checked before any model loads."""
    if args.speakers is None:
        if args.speaker_names:
            raise UserError("--speaker-names goes with --speakers; add --speakers to label who speaks")
        return None
    return parse_speaker_count(args.speakers)


def find_turns(audio, count, progress=None) -> list:
    """Speaker turns of 16-kHz mono audio (the whole file) with the given SpeakerCount."""
    from subtitler.asr.speakers import DiarizationOptions, diarize

    return list(diarize(audio, DiarizationOptions(count=count), on_progress=progress))


def _cmd_diarize(args: argparse.Namespace) -> int:
    from subtitler.asr.speakers.rttm import rttm_text
    from subtitler.cli_asr import ProgressBar, _check_input, _decode
    from subtitler.core.atomic import atomic_write_text

    output = Path(args.output) if args.output else None
    if output is not None and not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise UserError(f"{args.output}: folder {output.parent} does not exist; create it or choose another output path")
    count = parse_speaker_count(args.speakers)
    media = _check_input(args.file)
    audio = _decode(media, args.audio_track)
    progress = ProgressBar(sys.stderr, label="speakers ")
    turns = find_turns(audio, count, progress.update)
    progress.finish()
    text = rttm_text(turns, media.stem)
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(output, text)
        print(f"wrote {output}", file=sys.stderr)
    speakers = len({t.speaker for t in turns})
    print(f"{speakers} speaker{'s' if speakers != 1 else ''}, {len(turns)} turns", file=sys.stderr)
    return 0
