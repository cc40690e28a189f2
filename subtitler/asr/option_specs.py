"""Every user-settable decoding option and guard of ``TranscribeOptions``, described once.

The command line builds its flags from :data:`SPECS` (subtitler/cli_decoding.py) and the editor's
Transcribe dialog builds its fields from the same list, so both offer the same settings with the same
defaults (subtitler/asr/defaults.py), bounds and wording; :func:`apply_settings` turns what the user set
into options and refuses bad combinations with one message for both. No torch here: ``--help`` and the
dialog read this without loading a model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from subtitler.asr import defaults
from subtitler.asr.user_options import MAX_BATCH_SIZE, MAX_BEAM_SIZE
from subtitler.errors import UserError

OFF = "off"  # what the user types (or the dialog's check box sets) for a number that can be switched off

DECODING, PROMPT, GUARDS = "decoding", "prompt", "guards"
GROUP_TITLES = {DECODING: "Decoding", PROMPT: "Prompt and vocabulary", GUARDS: "Guards against invented text"}


@dataclass(frozen=True)
class OptionSpec:
    """One setting: the ``TranscribeOptions`` field it sets and how a user is shown and may give it."""

    field: str  # TranscribeOptions field; also the CLI flag (--field-name) and the settings key
    label: str  # a form row's label in the editor
    help: str  # one sentence, the CLI's help and the editor's tooltip
    kind: type  # bool, int, float or str
    group: str  # DECODING, PROMPT or GUARDS
    default: Any  # the default (from subtitler.asr.defaults)
    low: float | None = None
    high: float | None = None
    can_be_off: bool = False  # a number that may be None ("off"); the editor shows a check box beside it
    metavar: str = ""
    advanced: bool = True  # the editor shows it under "Advanced" (False: in the dialog's main settings)
    choices: tuple[str, ...] = ()  # a text that must be one of these (the editor shows a list)
    cli_flag: str = ""  # the flag, where it is not --field-name

    @property
    def flag(self) -> str:
        return self.cli_flag or flag_name(self.field)

    def shown(self, value: Any) -> str:
        """``value`` as the CLI's help and the dialog show it."""
        if value is None:
            return OFF
        if isinstance(value, bool):
            return "on" if value else OFF
        return f"{value:g}" if isinstance(value, float) else str(value)

    def parse(self, text: str) -> Any:
        """A typed value (or None for ``off``); ValueError with a sentence saying what to give."""
        if self.kind is str:
            if self.choices and text not in self.choices:
                raise ValueError(f"{text!r}: use one of {', '.join(self.choices)}")
            return text
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in ("on", "true", "yes", "1"):
                return True
            if lowered in (OFF, "false", "no", "0"):
                return False
            raise ValueError(f"{text!r}: use on or off")
        if self.can_be_off and text.strip().lower() in (OFF, "none"):
            return None
        try:
            value = self.kind(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a{'n integer' if self.kind is int else ' number'}"
                             + (" or 'off'" if self.can_be_off else "")) from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """``value`` if it is within bounds; ValueError otherwise (the dialog's spin boxes hold the bounds too)."""
        if value is None:
            if not self.can_be_off:
                raise ValueError("a value is needed")
            return None
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            shown = (lambda v: str(int(v))) if self.kind is int else (lambda v: f"{v:g}")  # 2147483647, not 2.14748e+09
            bounds = f"from {shown(self.low)}" + (f" to {shown(self.high)}" if self.high is not None else " up")
            raise ValueError(f"{shown(value)}: use a value {bounds}" + (" or 'off'" if self.can_be_off else ""))
        return value


def _spec(field: str, label: str, help: str, kind: type, group: str, **more: Any) -> OptionSpec:
    return OptionSpec(field, label, help, kind, group, getattr(defaults, field.upper()), **more)


SPECS: tuple[OptionSpec, ...] = (
    _spec("beam_size", "Beam size", "beam search width at temperature 0; off = greedy", int, DECODING,
          low=1, high=MAX_BEAM_SIZE, can_be_off=True, metavar="N", advanced=False),
    _spec("best_of", "Samples when retrying", "samples per window when the fallback decodes hotter", int, DECODING,
          low=1, high=MAX_BEAM_SIZE, can_be_off=True, metavar="N"),
    _spec("patience", "Beam patience", "beam search stops after beam size x F finished candidates (off = 1)", float,
          DECODING, low=0.01, high=10, can_be_off=True, metavar="F"),
    _spec("length_penalty", "Length penalty", "rank candidates with the Google-NMT length penalty F instead of the "
          "log probability per token", float, DECODING, low=0, high=1, can_be_off=True, metavar="F"),
    _spec("compression_ratio_threshold", "Repetition limit", "text compressing better than this is repetitive: "
          "retry hotter", float, DECODING, low=0, high=100, can_be_off=True, metavar="F"),
    _spec("logprob_threshold", "Confidence limit", "text less likely than this per token is unsure: retry hotter",
          float, DECODING, low=-100, high=0, can_be_off=True, metavar="F"),
    _spec("no_speech_threshold", "No-speech limit", "a window this likely silent, and unsure, is skipped", float,
          DECODING, low=0, high=1, can_be_off=True, metavar="P"),
    _spec("condition_on_previous_text", "Use previous text as prompt", "feed the previous windows' text to the next "
          "as a prompt", bool, DECODING, advanced=False),
    _spec("prompt_reset_on_temperature", "Prompt reset temperature", "a window decoded hotter than T does not "
          "prompt the next", float, DECODING, low=0, high=1, metavar="T"),
    _spec("sampling_seed", "Sampling seed", "the fallback's samples are drawn from this seed, so the same media gives "
          "the same transcript; off = a new draw every run", int, DECODING, low=0, high=2 ** 31 - 1, can_be_off=True,
          metavar="N"),
    _spec("suppress_tokens", "Suppressed tokens", "comma-separated token ids never to emit; -1 = the non-speech "
          "symbols (on the command line write --suppress-tokens=-1,ID)", str, DECODING, metavar="IDS"),
    _spec("suppress_blank", "Suppress blank start", "never start a window with a blank", bool, DECODING),
    _spec("max_initial_timestamp", "Latest first timestamp", "a window's first segment starts within S seconds",
          float, DECODING, low=0, high=30, can_be_off=True, metavar="S"),
    _spec("word_timestamps", "Word timings", "time every word by cross-attention alignment (JSON gets 'words' per "
          "segment)", bool, DECODING, advanced=False),
    _spec("word_timing", "Word timing", "refined: word edges moved out of pauses by voice activity and energy; "
          "reference: openai-whisper's timings exactly", str, DECODING, metavar="{refined,reference}",
          choices=("refined", "reference")),
    _spec("vad_filter", "Decode only speech", "decode only the stretches where the voice-activity model hears speech "
          "(skips silence and music)", bool, GUARDS, cli_flag="--vad"),
    _spec("batch_size", "Batch long files", "batched long-form mode: cut the speech at pauses into chunks of up to "
          "30 s and decode N at once, each without the previous text (faster on long files); off = window by "
          "window", int, DECODING, low=1, high=MAX_BATCH_SIZE, can_be_off=True, metavar="N", advanced=False),
    _spec("language_per_window", "Detect language per window", "with the language on auto, detect the language "
          "of every 30-s window", bool, DECODING),
    OptionSpec("initial_prompt", "Initial prompt", "text that primes the first window's vocabulary and style", str,
               PROMPT, None, metavar="TEXT", advanced=False),
    OptionSpec("hotwords", "Names and terms", "names and terms to spell right, given to every window (not with a "
               "prefix)", str, PROMPT, None, metavar="TEXT", advanced=False),
    OptionSpec("prefix", "First words", "text the first window must start with", str, PROMPT, None, metavar="TEXT"),
    _spec("speech_threshold", "Voice-activity gate", "voice-activity probability below which a stretch yields no "
          "words; windows without speech are not decoded", float, GUARDS, low=0, high=1, can_be_off=True,
          metavar="P", advanced=False),
    _spec("drop_fillers", "Drop stock phrases on non-speech", "drop stock phrases ('Thank you.', 'Subtitles by "
          "...') where no one speaks", bool, GUARDS, advanced=False),
    _spec("retry_replays", "Retry replayed text", "decode a window that replays recent text, or writes only a "
          "stock phrase or nothing over speech, again without the previous text; cut a window where it turns to "
          "repeating its own new text; drop what still replays where no one speaks",
          bool, GUARDS, advanced=False),
    _spec("max_repeats", "Most repeats in a row", "the same segment text at most N times in a row", int, GUARDS,
          low=1, high=100, can_be_off=True, metavar="N"),
    _spec("repeat_lookback", "Replay look-back", "segments of recent text a new segment must not replay; 0 = off",
          int, GUARDS, low=0, high=100, metavar="N"),
    _spec("repeat_min_words", "Replay minimum words", "shorter texts may recur", int, GUARDS, low=1, high=100,
          metavar="N"),
    _spec("drop_repetitive", "Drop loops", "drop looping segments of a window no temperature made less repetitive",
          bool, GUARDS),
    _spec("hallucination_silence_threshold", "Skip silence around suspicious text", "skip silences "
          "longer than S seconds around a suspicious segment (openai-whisper's option; it reads the words' times)", float, GUARDS,
          low=0, high=30, can_be_off=True, metavar="S"),
    _spec("redecode_skipped", "Decode skipped speech", "decode a window again, ending where its text starts, when "
          "it left out clear speech before its first word (batched: decode clear speech a chunk's text leaves out "
          "as a chunk of its own)", bool, GUARDS),
    _spec("repair_word_times", "Repair stray word times", "re-time words the alignment put outside their segment, "
          "and start the next window by the timestamps rather than after them", bool, GUARDS),
)
BY_FIELD = {spec.field: spec for spec in SPECS}

# The temperature fallback is two settings that make one field (TranscribeOptions.temperature, a tuple).
FIRST_TEMPERATURE = "temperature"
FALLBACK_STEP = "temperature_increment_on_fallback"  # None: no fallback
DEFAULT_FALLBACK_STEP = round(defaults.TEMPERATURES[1] - defaults.TEMPERATURES[0], 6) if len(defaults.TEMPERATURES) > 1 else None
# The two as the editor shows them (the CLI's --temperature and --temperature-increment-on-fallback say the same).
TEMPERATURE_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(FIRST_TEMPERATURE, "First temperature", "temperature of a window's first try; 0 decodes the likeliest "
               "text", float, DECODING, defaults.TEMPERATURES[0], low=0, high=1, metavar="T"),
    OptionSpec(FALLBACK_STEP, "Fallback step", "temperature step when a window's text fails the checks (repetition, "
               "confidence); off = no fallback", float, DECODING, DEFAULT_FALLBACK_STEP, low=0, high=1, can_be_off=True,
               metavar="T"),
)


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def apply_settings(base, settings: Mapping[str, Any], name: Callable[[str], str] = flag_name):
    """``base`` (a TranscribeOptions) with ``settings`` (field -> value, None = off; plus FIRST_TEMPERATURE and
    FALLBACK_STEP), checked as a whole. Wrong values are UserErrors naming the setting by ``name(field)``."""
    from subtitler.asr.user_options import fallback_temperatures

    changes = {}
    for field, value in settings.items():
        if field in (FIRST_TEMPERATURE, FALLBACK_STEP):
            continue
        spec = BY_FIELD.get(field)
        if spec is None:
            raise UserError(f"{name(field)}: not a transcription setting")
        try:
            changes[field] = spec.check(value) if spec.kind in (int, float) else spec.parse(value) if spec.choices else value
        except ValueError as error:
            raise UserError(f"{name(field)} {error}") from None
    if FIRST_TEMPERATURE in settings or FALLBACK_STEP in settings:
        start = settings.get(FIRST_TEMPERATURE, base.temperature[0])
        step = settings.get(FALLBACK_STEP, DEFAULT_FALLBACK_STEP)
        changes["temperature"] = fallback_temperatures(start, name(FIRST_TEMPERATURE), step or 0.0)
    options = dataclasses.replace(base, **changes)
    check_options(options, name)
    return options


def check_options(options, name: Callable[[str], str] = flag_name) -> None:
    """Combinations that cannot work, as one UserError naming the settings by ``name(field)``."""
    tokens = options.suppress_tokens
    if isinstance(tokens, str) and not all(t.strip().lstrip("-").isdigit() for t in tokens.split(",")):
        raise UserError(f"{name('suppress_tokens')} {tokens}: use comma-separated token ids, -1 for the non-speech symbols")
    if options.patience is not None and options.beam_size is None:
        raise UserError(f"{name('patience')} goes with beam search; give {name('beam_size')} too")
    if options.hotwords and options.prefix:
        raise UserError(f"{name('hotwords')} is not used with {name('prefix')}; give one of them")
    check_batched(options, name)


def check_batched(options, name: Callable[[str], str] = flag_name) -> None:
    """The batched mode's chunks stand alone: settings that carry one window into the next are refused with it."""
    if options.batch_size is None:
        return
    for field in ("prefix", "hallucination_silence_threshold"):
        if getattr(options, field) is not None:
            raise UserError(f"{name(field)} works window by window; leave it out or switch {name('batch_size')} off")


def settings_of(options) -> dict[str, Any]:
    """The settings ``options`` holds, as :func:`apply_settings` takes them (for the dialog to show and remember)."""
    settings = {spec.field: getattr(options, spec.field) for spec in SPECS}
    temperatures = options.temperature
    settings[FIRST_TEMPERATURE] = temperatures[0]
    settings[FALLBACK_STEP] = round(temperatures[1] - temperatures[0], 6) if len(temperatures) > 1 else None
    return settings
