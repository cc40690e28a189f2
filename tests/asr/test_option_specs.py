"""The settings the CLI and the editor offer, described once (subtitler/asr/option_specs.py)."""

from __future__ import annotations

import dataclasses

import pytest

from subtitler.asr.option_specs import (
    BY_FIELD, FALLBACK_STEP, FIRST_TEMPERATURE, GROUP_TITLES, SPECS, apply_settings, settings_of,
)
from subtitler.asr.transcribe import TranscribeOptions
from subtitler.errors import UserError


def test_every_setting_is_a_field_with_the_options_default() -> None:
    fields = {f.name for f in dataclasses.fields(TranscribeOptions)}
    defaults = TranscribeOptions()
    for spec in SPECS:
        assert spec.field in fields
        assert spec.default == getattr(defaults, spec.field), spec.field
        assert spec.group in GROUP_TITLES and spec.label and spec.help
        if spec.kind in (int, float) and spec.default is not None:
            assert spec.check(spec.default) == spec.default  # the default lies within the bounds the dialog uses
    assert len(BY_FIELD) == len(SPECS)


def test_every_decoding_setting_and_guard_is_offered() -> None:
    """What the issue asks to stay available: the peers' decoding settings, every guard, prompt and hotwords."""
    wanted = {"beam_size", "best_of", "patience", "length_penalty", "compression_ratio_threshold", "logprob_threshold",
              "no_speech_threshold", "condition_on_previous_text", "prompt_reset_on_temperature", "initial_prompt",
              "hotwords", "speech_threshold", "drop_fillers", "retry_replays", "max_repeats", "repeat_lookback",
              "hallucination_silence_threshold", "drop_repetitive", "repair_word_times", "word_timestamps"}
    assert wanted <= set(BY_FIELD)


def test_settings_round_trip_as_the_dialog_would_store_them() -> None:
    changed = dataclasses.replace(TranscribeOptions(), beam_size=5, best_of=5, speech_threshold=None,
                                  hotwords="Kubernetes", temperature=(0.2, 0.6, 1.0))
    settings = settings_of(changed)
    assert settings[FIRST_TEMPERATURE] == 0.2 and settings[FALLBACK_STEP] == 0.4
    assert apply_settings(TranscribeOptions(), settings) == changed
    assert apply_settings(TranscribeOptions(), settings_of(TranscribeOptions())) == TranscribeOptions()
    assert apply_settings(TranscribeOptions(), {FALLBACK_STEP: None}).temperature == (0.0,)


@pytest.mark.parametrize(("settings", "needle"), [
    ({"beam_size": 0}, "Beam size 0: use a value from 1 to 32"),
    ({"speech_threshold": 1.5}, "Voice-activity gate 1.5"),
    ({"repeat_lookback": None}, "Replay look-back a value is needed"),
    ({"patience": 2.0, "beam_size": None}, "Beam patience goes with beam search; give Beam size too"),
    ({"hotwords": "etcd", "prefix": "So"}, "Names and terms is not used with First words"),
    ({"suppress_tokens": "-1,x"}, "Suppressed tokens -1,x"),
    ({FIRST_TEMPERATURE: 1.5}, "temperature 1.5"),
    ({"no_such_thing": 1}, "not a transcription setting"),
])
def test_wrong_settings_name_the_setting_as_the_dialog_labels_it(settings: dict, needle: str) -> None:
    def label(field: str) -> str:
        return BY_FIELD[field].label if field in BY_FIELD else field

    with pytest.raises(UserError) as caught:
        apply_settings(TranscribeOptions(), settings, name=label)
    assert needle in str(caught.value)


def test_the_silence_skip_goes_without_word_timestamps_in_the_result() -> None:
    """The guards time the words they read themselves (TranscribeOptions.words_timed): no need to ask for them."""
    options = apply_settings(TranscribeOptions(), {"hallucination_silence_threshold": 2.0, "word_timestamps": False})
    assert options.words_timed and not options.word_timestamps


def test_parse_takes_what_a_user_types() -> None:
    assert BY_FIELD["beam_size"].parse("off") is None and BY_FIELD["beam_size"].parse("5") == 5
    assert BY_FIELD["drop_fillers"].parse("off") is False and BY_FIELD["drop_fillers"].parse("on") is True
    with pytest.raises(ValueError, match="not an integer"):
        BY_FIELD["beam_size"].parse("five")
    with pytest.raises(ValueError, match="use a value from 0 to 100 or 'off'"):
        BY_FIELD["compression_ratio_threshold"].parse("-1")
    with pytest.raises(ValueError, match="^-3: use a value from 0 to 2147483647 or 'off'$"):  # not 2.14748e+09
        BY_FIELD["sampling_seed"].parse("-3")
    assert BY_FIELD["sampling_seed"].parse("off") is None and BY_FIELD["sampling_seed"].parse("7") == 7


def test_the_temperature_settings_are_described_with_the_options_defaults() -> None:
    from subtitler.asr.option_specs import TEMPERATURE_SPECS

    shown = settings_of(TranscribeOptions())
    assert [spec.field for spec in TEMPERATURE_SPECS] == [FIRST_TEMPERATURE, FALLBACK_STEP]
    for spec in TEMPERATURE_SPECS:
        assert spec.default == shown[spec.field] and spec.check(spec.default) == spec.default
        assert spec.field not in BY_FIELD, "apply_settings takes them apart from SPECS"
    assert TEMPERATURE_SPECS[1].can_be_off and TEMPERATURE_SPECS[1].check(None) is None
