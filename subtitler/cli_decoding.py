"""Every decoding setting and every guard of ``TranscribeOptions`` as a `subtitler transcribe` option.

A flag left out keeps ``TranscribeOptions()``'s value, so the command line, the editor and the server
share one set of defaults (subtitler/asr/defaults.py, shown in ``--help`` without loading torch).
Numbers that can be switched off take ``off``.
"""

from __future__ import annotations

import argparse
import dataclasses

from subtitler.asr import defaults

OFF = "off"


def _number(kind, low: float | None = None, high: float | None = None, off: bool = False):
    """An argparse type: a number in [low, high], or ``off`` (kept as the string) where ``off`` is allowed."""
    def parse(text: str):
        if off and text.strip().lower() in (OFF, "none"):
            return OFF
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}"
                                             + (" or 'off'" if off else "")) from None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low:g}" + (f" to {high:g}" if high is not None else " up")
            raise argparse.ArgumentTypeError(f"{text}: use a value {bounds}" + (" or 'off'" if off else ""))
        return value
    return parse


def _shown(value) -> str:
    return OFF if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def add_decoding_args(parser: argparse.ArgumentParser) -> None:
    """The decoding options and the guards, in two groups of ``--help``."""
    d = parser.add_argument_group("decoding (defaults as the editor uses them)")
    d.add_argument("--beam-size", type=_number(int, 1, 64, off=True), default=None, metavar="N",
                   help=f"beam search width at temperature 0; off = greedy (default {_shown(defaults.BEAM_SIZE)})")
    d.add_argument("--best-of", type=_number(int, 1, 64, off=True), default=None, metavar="N",
                   help=f"samples per window when the fallback decodes hotter (default {_shown(defaults.BEST_OF)})")
    d.add_argument("--patience", type=_number(float, 0.01), default=None, metavar="F",
                   help="beam search patience: stop after beam-size x F finished candidates (default 1)")
    d.add_argument("--length-penalty", type=_number(float, 0, 1), default=None, metavar="F",
                   help="rank candidates with the Google-NMT length penalty F instead of per-token log probability")
    d.add_argument("--temperature", type=_number(float, 0, 1), default=None, metavar="T",
                   help=f"first temperature (default {defaults.TEMPERATURES[0]:g})")
    d.add_argument("--temperature-increment-on-fallback", type=_number(float, 0, 1, off=True), default=None, metavar="T",
                   help="temperature step when a window's text fails the checks below; off = no fallback "
                        f"(default {defaults.TEMPERATURES[1] - defaults.TEMPERATURES[0]:g})")
    d.add_argument("--no-fallback", action="store_true", help="decode at the first temperature only (as --temperature-increment-on-fallback off)")
    d.add_argument("--compression-ratio-threshold", type=_number(float, 0, off=True), default=None, metavar="F",
                   help=f"text compressing better than this is repetitive: retry hotter (default {_shown(defaults.COMPRESSION_RATIO_THRESHOLD)})")
    d.add_argument("--logprob-threshold", type=_number(float, off=True), default=None, metavar="F",
                   help=f"text less likely than this per token is unsure: retry hotter (default {_shown(defaults.LOGPROB_THRESHOLD)})")
    d.add_argument("--no-speech-threshold", type=_number(float, 0, 1, off=True), default=None, metavar="P",
                   help=f"a window this likely silent, and unsure, is skipped (default {_shown(defaults.NO_SPEECH_THRESHOLD)})")
    d.add_argument("--condition-on-previous-text", action=argparse.BooleanOptionalAction, default=None,
                   help="feed the previous windows' text to the next as a prompt (default "
                        f"{'on' if defaults.CONDITION_ON_PREVIOUS_TEXT else 'off'})")
    d.add_argument("--prompt-reset-on-temperature", type=_number(float, 0, 1), default=None, metavar="T",
                   help=f"a window decoded hotter than T does not prompt the next (default {defaults.PROMPT_RESET_ON_TEMPERATURE:g})")
    d.add_argument("--initial-prompt", default=None, metavar="TEXT", help="text that primes the first window's vocabulary and style")
    d.add_argument("--hotwords", default=None, metavar="TEXT",
                   help="names and terms to spell right, given to every window (not with --prefix)")
    d.add_argument("--prefix", default=None, metavar="TEXT", help="text the first window must start with")
    d.add_argument("--suppress-tokens", default=None, metavar="IDS",
                   help="comma-separated token ids never to emit; -1 = the non-speech symbols (default -1; write --suppress-tokens=-1,ID)")
    d.add_argument("--suppress-blank", action=argparse.BooleanOptionalAction, default=None,
                   help="never start a window with a blank (default on)")
    d.add_argument("--max-initial-timestamp", type=_number(float, 0, 30, off=True), default=None, metavar="S",
                   help="a window's first segment starts within S seconds (default 1)")
    d.add_argument("--word-timestamps", action=argparse.BooleanOptionalAction, default=None,
                   help=f"time every word by cross-attention alignment (default {'on' if defaults.WORD_TIMESTAMPS else 'off'}); "
                        "JSON gets 'words' per segment")
    d.add_argument("--language-per-window", action=argparse.BooleanOptionalAction, default=None,
                   help="with --language auto, detect the language of every window (default on)")

    g = parser.add_argument_group("guards against invented text (each can be switched off)")
    g.add_argument("--no-guards", action="store_true", help="switch every guard below off (openai-whisper's behaviour)")
    g.add_argument("--speech-threshold", type=_number(float, 0, 1, off=True), default=None, metavar="P",
                   help="voice-activity probability below which a stretch yields no words; windows without speech are not "
                        f"decoded (default {_shown(defaults.SPEECH_THRESHOLD)})")
    g.add_argument("--drop-fillers", action=argparse.BooleanOptionalAction, default=None,
                   help="drop stock phrases ('Thank you.', 'Subtitles by ...') where no one speaks (default "
                        f"{'on' if defaults.DROP_FILLERS else 'off'})")
    g.add_argument("--retry-replays", action=argparse.BooleanOptionalAction, default=None,
                   help="decode a window that replays recent text again without the previous text; drop what still "
                        f"replays where no one speaks (default {'on' if defaults.RETRY_REPLAYS else 'off'})")
    g.add_argument("--max-repeats", type=_number(int, 1, off=True), default=None, metavar="N",
                   help=f"the same segment text at most N times in a row (default {_shown(defaults.MAX_REPEATS)})")
    g.add_argument("--repeat-lookback", type=_number(int, 0), default=None, metavar="N",
                   help=f"segments of recent text a new segment must not replay; 0 = off (default {defaults.REPEAT_LOOKBACK})")
    g.add_argument("--repeat-min-words", type=_number(int, 1), default=None, metavar="N",
                   help=f"shorter texts may recur (default {defaults.REPEAT_MIN_WORDS})")
    g.add_argument("--drop-repetitive", action=argparse.BooleanOptionalAction, default=None,
                   help="drop looping segments of a window no temperature made less repetitive (default on)")
    g.add_argument("--hallucination-silence-threshold", type=_number(float, 0, off=True), default=None, metavar="S",
                   help="with word timestamps, skip silences longer than S seconds around a suspicious segment "
                        f"(openai-whisper's option; default {_shown(defaults.HALLUCINATION_SILENCE_THRESHOLD)})")
    g.add_argument("--repair-word-times", action=argparse.BooleanOptionalAction, default=None,
                   help="re-time words the alignment put outside their segment, and start the next window by the "
                        f"timestamps rather than after them (default {'on' if defaults.REPAIR_WORD_TIMES else 'off'})")
    g.add_argument("--show-dropped", action="store_true", help="print each text a guard removed, with its time (stderr)")


# TranscribeOptions fields set straight from the flag of the same name.
_DIRECT = ("beam_size", "best_of", "patience", "length_penalty", "compression_ratio_threshold", "logprob_threshold",
           "no_speech_threshold", "condition_on_previous_text", "prompt_reset_on_temperature", "initial_prompt",
           "hotwords", "prefix", "suppress_tokens", "suppress_blank", "max_initial_timestamp", "word_timestamps",
           "language_per_window", "speech_threshold", "drop_fillers", "retry_replays", "max_repeats", "repeat_lookback",
           "repeat_min_words", "drop_repetitive", "hallucination_silence_threshold", "repair_word_times")


def decoding_options(args: argparse.Namespace, base):
    """``base`` (a TranscribeOptions) with the flags the user gave; the rest keep their defaults."""
    from subtitler.errors import UserError

    options = base.without_guards() if args.no_guards else base
    changes = {name: None if getattr(args, name) == OFF else getattr(args, name)
               for name in _DIRECT if getattr(args, name) is not None}
    changes.update(_temperatures(args, base.temperature))
    options = dataclasses.replace(options, **changes)
    if isinstance(options.suppress_tokens, str) and not all(t.strip().lstrip("-").isdigit() for t in options.suppress_tokens.split(",")):
        raise UserError(f"--suppress-tokens {options.suppress_tokens}: use comma-separated token ids, -1 for the non-speech symbols")
    if options.hallucination_silence_threshold is not None and not options.word_timestamps:
        raise UserError("--hallucination-silence-threshold needs word timings; leave out --no-word-timestamps")
    if options.patience is not None and options.beam_size is None:
        raise UserError("--patience goes with beam search; give --beam-size too")
    if options.hotwords and options.prefix:
        raise UserError("--hotwords is not used with --prefix; give one of them")
    return options


def _temperatures(args: argparse.Namespace, default: tuple[float, ...]) -> dict:
    from subtitler.asr.user_options import fallback_temperatures

    if args.temperature is None and args.temperature_increment_on_fallback is None and not args.no_fallback:
        return {}
    start = default[0] if args.temperature is None else args.temperature
    step = args.temperature_increment_on_fallback
    if args.no_fallback or step == OFF:
        step = 0.0
    elif step is None:
        step = default[1] - default[0] if len(default) > 1 else 0.0
    return {"temperature": fallback_temperatures(start, step=step)}
