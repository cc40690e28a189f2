"""What a user typed (a CLI flag or an HTTP form field) turned into TranscribeOptions values.

The command line and the local server share these so that the same wrong value gets
the same one-line message from both; ``name`` is how the value was given (``--language``
on the command line, ``language`` in a request).
"""

from __future__ import annotations

from subtitler.errors import UserError

FALLBACK_STEP = 0.2  # openai-whisper's temperature_increment_on_fallback
MAX_BEAM_SIZE = 32  # 5 is usual; each hypothesis keeps its own decoder cache, so 100,000 would exhaust memory
MAX_BATCH_SIZE = 64  # chunks decoded at once by the batched mode; each holds 30 s of encoded audio and a decoder cache


def parse_language(value: str | None, name: str = "--language") -> str | None:
    """A Whisper language code for a code or an English name ('de', 'German'); None means detect."""
    if value is None or value.strip().lower() in ("auto", ""):
        return None
    from subtitler.asr.tokenizer import language_code

    code = language_code(value)
    if code is None:
        raise UserError(f"{name} {value}: not a language Whisper knows; use a code such as en, de, es, or auto")
    return code


def fallback_temperatures(start: float, name: str = "--temperature", step: float = FALLBACK_STEP) -> tuple[float, ...]:
    """Temperatures tried in turn from ``start`` up to 1.0 in steps of ``step``, as openai-whisper and the OpenAI API do.

    0 means greedy first, then hotter only when a window's text is repetitive or unsure; step 0: ``start`` only.
    """
    if not 0.0 <= start <= 1.0:
        raise UserError(f"{name} {start:g}: use a temperature from 0 to 1")
    if step <= 0:
        return (start,)
    steps = int((1.0 - start) / step + 1e-9)
    return tuple(round(start + i * step, 6) for i in range(steps + 1))

