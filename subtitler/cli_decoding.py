"""`subtitler transcribe`'s decoding and guard options: one flag per setting of subtitler/asr/option_specs.py.

A flag left out keeps ``TranscribeOptions()``'s value, so the command line, the editor and the server share
one set of defaults (subtitler/asr/defaults.py, shown in ``--help`` without loading torch). Numbers that can
be switched off take ``off``.
"""

from __future__ import annotations

import argparse

from subtitler.asr import defaults
from subtitler.asr.option_specs import (
    DECODING, DEFAULT_FALLBACK_STEP, FALLBACK_STEP, FIRST_TEMPERATURE, GUARDS, OFF, PROMPT, SPECS, OptionSpec,
    apply_settings,
)

_TITLES = {DECODING: "decoding (defaults as the editor uses them)", PROMPT: "prompt and vocabulary",
           GUARDS: "guards against invented text (each can be switched off)"}


def _typed(spec: OptionSpec):
    """An argparse type from the spec: its value, or OFF (kept as the string: None means 'not given')."""
    def parse(text: str):
        try:
            value = spec.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return OFF if value is None else value
    return parse


def _number(kind, low: float, high: float, off: bool = False):
    return _typed(OptionSpec("", "", "", kind, DECODING, None, low=low, high=high, can_be_off=off))


def add_decoding_args(parser: argparse.ArgumentParser) -> None:
    """The settings of option_specs.SPECS in their groups of ``--help``, plus the temperature fallback."""
    groups = {key: parser.add_argument_group(title) for key, title in _TITLES.items()}
    d = groups[DECODING]
    d.add_argument("--temperature", type=_number(float, 0, 1), default=None, metavar="T",
                   help=f"first temperature (default {defaults.TEMPERATURES[0]:g})")
    d.add_argument("--temperature-increment-on-fallback", type=_number(float, 0, 1, off=True), default=None, metavar="T",
                   help="temperature step when a window's text fails the checks below; off = no fallback "
                        f"(default {DEFAULT_FALLBACK_STEP if DEFAULT_FALLBACK_STEP is not None else OFF})")
    d.add_argument("--no-fallback", action="store_true", help="decode at the first temperature only (as --temperature-increment-on-fallback off)")
    groups[GUARDS].add_argument("--no-guards", action="store_true",
                                help="switch every guard below off (openai-whisper's behaviour)")
    for spec in SPECS:
        help = f"{spec.help} (default {spec.shown(spec.default)})" if spec.default is not None or spec.can_be_off else spec.help
        if spec.kind is bool:
            groups[spec.group].add_argument(spec.flag, action=argparse.BooleanOptionalAction, default=None, help=help,
                                            dest=spec.field)
        else:
            groups[spec.group].add_argument(spec.flag, type=_typed(spec), default=None, metavar=spec.metavar, help=help,
                                            dest=spec.field)
    groups[GUARDS].add_argument("--show-dropped", action="store_true",
                                help="print each text a guard removed, with its time (stderr)")


def decoding_options(args: argparse.Namespace, base):
    """``base`` (a TranscribeOptions) with the flags the user gave; the rest keep their defaults."""
    options = base.without_guards() if args.no_guards else base
    settings = {spec.field: None if getattr(args, spec.field) == OFF else getattr(args, spec.field)
                for spec in SPECS if getattr(args, spec.field) is not None}
    if args.temperature is not None:
        settings[FIRST_TEMPERATURE] = args.temperature
    if args.no_fallback or args.temperature_increment_on_fallback == OFF:
        settings[FALLBACK_STEP] = None
    elif args.temperature_increment_on_fallback is not None:
        settings[FALLBACK_STEP] = args.temperature_increment_on_fallback
    return apply_settings(options, settings)
