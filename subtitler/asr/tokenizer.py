"""Whisper's tokenizer: GPT-2 BPE from a checkpoint's ``tokenizer.json`` plus Whisper's special tokens.

The BPE itself runs in Hugging Face ``tokenizers`` (a maintained Rust library);
this module adds what Whisper layers on top: the start-of-transcript sequence
for a language and task, timestamp tokens (which most ``tokenizer.json`` files
do not list: they follow ``<|notimestamps|>`` at 0.02-s steps), suppression
lists and the split into words that word timing needs.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import tokenizers

from subtitler.errors import ModelError

TIME_PRECISION = 0.02  # seconds per timestamp token
N_TIMESTAMPS = 1501  # <|0.00|> ... <|30.00|>
TASKS = ("transcribe", "translate")

LANGUAGES: dict[str, str] = {
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "ru": "Russian",
    "ko": "Korean", "fr": "French", "ja": "Japanese", "pt": "Portuguese", "tr": "Turkish",
    "pl": "Polish", "ca": "Catalan", "nl": "Dutch", "ar": "Arabic", "sv": "Swedish",
    "it": "Italian", "id": "Indonesian", "hi": "Hindi", "fi": "Finnish", "vi": "Vietnamese",
    "he": "Hebrew", "uk": "Ukrainian", "el": "Greek", "ms": "Malay", "cs": "Czech",
    "ro": "Romanian", "da": "Danish", "hu": "Hungarian", "ta": "Tamil", "no": "Norwegian",
    "th": "Thai", "ur": "Urdu", "hr": "Croatian", "bg": "Bulgarian", "lt": "Lithuanian",
    "la": "Latin", "mi": "Maori", "ml": "Malayalam", "cy": "Welsh", "sk": "Slovak",
    "te": "Telugu", "fa": "Persian", "lv": "Latvian", "bn": "Bengali", "sr": "Serbian",
    "az": "Azerbaijani", "sl": "Slovenian", "kn": "Kannada", "et": "Estonian", "mk": "Macedonian",
    "br": "Breton", "eu": "Basque", "is": "Icelandic", "hy": "Armenian", "ne": "Nepali",
    "mn": "Mongolian", "bs": "Bosnian", "kk": "Kazakh", "sq": "Albanian", "sw": "Swahili",
    "gl": "Galician", "mr": "Marathi", "pa": "Punjabi", "si": "Sinhala", "km": "Khmer",
    "sn": "Shona", "yo": "Yoruba", "so": "Somali", "af": "Afrikaans", "oc": "Occitan",
    "ka": "Georgian", "be": "Belarusian", "tg": "Tajik", "sd": "Sindhi", "gu": "Gujarati",
    "am": "Amharic", "yi": "Yiddish", "lo": "Lao", "uz": "Uzbek", "fo": "Faroese",
    "ht": "Haitian Creole", "ps": "Pashto", "tk": "Turkmen", "nn": "Nynorsk", "mt": "Maltese",
    "sa": "Sanskrit", "lb": "Luxembourgish", "my": "Myanmar", "bo": "Tibetan", "tl": "Tagalog",
    "mg": "Malagasy", "as": "Assamese", "tt": "Tatar", "haw": "Hawaiian", "ln": "Lingala",
    "ha": "Hausa", "ba": "Bashkir", "jw": "Javanese", "su": "Sundanese", "yue": "Cantonese",
}

# Names and common aliases a user may type instead of a code.
_ALIASES = {
    "burmese": "my", "valencian": "ca", "flemish": "nl", "haitian": "ht", "letzeburgesch": "lb",
    "pushto": "ps", "panjabi": "pa", "moldavian": "ro", "moldovan": "ro", "sinhalese": "si",
    "castilian": "es", "mandarin": "zh",
}

# Languages written without spaces between words: words are split at unicode boundaries.
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "yue"})


def language_code(name_or_code: str) -> str | None:
    """The Whisper code for a code, an English name or a common alias; None if unknown."""
    key = name_or_code.strip().lower()
    if key in LANGUAGES:
        return key
    by_name = {name.lower(): code for code, name in LANGUAGES.items()}
    return by_name.get(key) or _ALIASES.get(key)


@dataclass(frozen=True)
class SpecialTokens:
    """Ids of Whisper's control tokens in one vocabulary."""

    eot: int
    sot: int
    translate: int
    transcribe: int
    sot_lm: int
    sot_prev: int
    no_speech: int
    no_timestamps: int
    timestamp_begin: int
    languages: tuple[tuple[str, int], ...]  # (code, token id) in token order

    @classmethod
    def from_vocab(cls, bpe: tokenizers.Tokenizer, num_languages: int | None, path: Path) -> SpecialTokens:
        def need(*names: str) -> int:
            for name in names:
                token = bpe.token_to_id(name)
                if token is not None:
                    return token
            raise ModelError(f"{path}: tokenizer has no {names[0]} token; use the tokenizer.json of a Whisper model")

        no_timestamps = need("<|notimestamps|>")
        first_timestamp = bpe.token_to_id("<|0.00|>")
        codes = list(LANGUAGES)[: num_languages or len(LANGUAGES)]
        languages = tuple((c, t) for c in codes if (t := bpe.token_to_id(f"<|{c}|>")) is not None)
        return cls(
            eot=need("<|endoftext|>"), sot=need("<|startoftranscript|>"), translate=need("<|translate|>"),
            transcribe=need("<|transcribe|>"), sot_lm=need("<|startoflm|>"), sot_prev=need("<|startofprev|>"),
            no_speech=need("<|nospeech|>", "<|nocaptions|>"), no_timestamps=no_timestamps,
            timestamp_begin=first_timestamp if first_timestamp is not None else no_timestamps + 1,
            languages=languages,
        )


class Tokenizer:
    """Text <-> token ids for one model, with its language and task fixed (use :meth:`with_options` to change them)."""

    def __init__(self, bpe: tokenizers.Tokenizer, special: SpecialTokens, *, multilingual: bool,
                 language: str | None = None, task: str = "transcribe") -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, not {task!r}")
        if language is not None and language not in dict(special.languages):
            raise ValueError(f"language {language!r} is not one of this model's languages")
        # Text is text: "<|endoftext|>" typed into a prompt is encoded as its characters, never as the
        # special token (openai-whisper's tiktoken refuses such text; as tokens it broke decoding).
        bpe.encode_special_tokens = True
        self._bpe = bpe
        self.special = special
        self.multilingual = multilingual
        self.language = language if multilingual else "en"
        self.task = task if multilingual else "transcribe"

    @classmethod
    def from_file(cls, path: str | Path, *, multilingual: bool, num_languages: int | None = None,
                  language: str | None = None, task: str = "transcribe") -> Tokenizer:
        """Read ``tokenizer.json``; ``multilingual`` and ``num_languages`` come from the model."""
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path}: not a plain file; reinstall or re-download the model")
        try:
            bpe = tokenizers.Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for unreadable files
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError(f"{path}: cannot read the tokenizer ({first}); reinstall or re-download the model") from None
        return cls(bpe, SpecialTokens.from_vocab(bpe, num_languages, path), multilingual=multilingual,
                   language=language, task=task)

    def with_options(self, language: str | None = None, task: str = "transcribe") -> Tokenizer:
        """The same vocabulary with another language or task (shares the BPE; cheap)."""
        return Tokenizer(self._bpe, self.special, multilingual=self.multilingual, language=language, task=task)

    # --- special tokens -------------------------------------------------------------------------
    eot = property(lambda self: self.special.eot)
    sot = property(lambda self: self.special.sot)
    sot_prev = property(lambda self: self.special.sot_prev)
    sot_lm = property(lambda self: self.special.sot_lm)
    translate = property(lambda self: self.special.translate)
    transcribe = property(lambda self: self.special.transcribe)
    no_speech = property(lambda self: self.special.no_speech)
    no_timestamps = property(lambda self: self.special.no_timestamps)
    timestamp_begin = property(lambda self: self.special.timestamp_begin)

    @property
    def all_language_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.special.languages)

    @property
    def all_language_tokens(self) -> tuple[int, ...]:
        return tuple(token for _, token in self.special.languages)

    def language_token_of(self, code: str) -> int:
        token = dict(self.special.languages).get(code)
        if token is None:
            raise KeyError(f"language {code!r} is not in this vocabulary")
        return token

    @property
    def sot_sequence(self) -> tuple[int, ...]:
        """What the decoder is primed with: start, then language and task on multilingual models."""
        if not self.multilingual:
            return (self.sot,)
        sequence = [self.sot]
        if self.language is not None:
            sequence.append(self.language_token_of(self.language))
        sequence.append(self.transcribe if self.task == "transcribe" else self.translate)
        return tuple(sequence)

    @property
    def sot_sequence_including_notimestamps(self) -> tuple[int, ...]:
        return self.sot_sequence + (self.no_timestamps,)

    def timestamp_token(self, seconds: float) -> int:
        """The timestamp token nearest ``seconds`` (0 to 30 s)."""
        index = min(max(round(seconds / TIME_PRECISION), 0), N_TIMESTAMPS - 1)
        return self.timestamp_begin + index

    def timestamp_seconds(self, token: int) -> float:
        return (token - self.timestamp_begin) * TIME_PRECISION

    # --- text -----------------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        return self._bpe.encode(text, add_special_tokens=False).ids

    def decode(self, tokens: list[int]) -> str:
        """Text of ``tokens``; timestamp tokens are left out, other special tokens are shown."""
        return self._bpe.decode([t for t in tokens if t < self.timestamp_begin], skip_special_tokens=False)

    def decode_with_timestamps(self, tokens: list[int]) -> str:
        """Text of ``tokens`` with timestamps rendered as ``<|1.08|>``."""
        parts: list[str] = []
        run: list[int] = []
        for token in tokens:
            if token >= self.timestamp_begin:
                parts.append(self._bpe.decode(run, skip_special_tokens=False) if run else "")
                parts.append(f"<|{self.timestamp_seconds(token):.2f}|>")
                run = []
            else:
                run.append(token)
        if run:
            parts.append(self._bpe.decode(run, skip_special_tokens=False))
        return "".join(parts)

    def decode_text_only(self, tokens: list[int]) -> str:
        """Text of the ordinary tokens only (no control or timestamp tokens): what a subtitle shows."""
        return self._bpe.decode([t for t in tokens if t < self.eot], skip_special_tokens=False)

    # --- suppression ----------------------------------------------------------------------------
    @cached_property
    def non_speech_tokens(self) -> tuple[int, ...]:
        """Tokens of speaker tags, music notes and bracketed annotations, to keep them out of transcripts.

        Plain punctuation (, . ? !) stays allowed; a hyphen or quote is only banned where it
        would start a word. A symbol spread over several tokens is banned only when it is a
        music note, whose first UTF-8 bytes no ordinary text shares.
        """
        symbols = list('"#()*+/:;<=>@[\\]^_`{|}~「」『』')
        symbols += "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split()
        notes = set("♩♪♫♬♭♮♯")
        banned = {self.encode(" -")[0], self.encode(" '")[0]}
        for symbol in symbols + sorted(notes):
            for pieces in (self.encode(symbol), self.encode(" " + symbol)):
                if len(pieces) == 1 or symbol in notes:
                    banned.add(pieces[0])
        return tuple(sorted(banned))

    @cached_property
    def blank_tokens(self) -> tuple[int, ...]:
        """A lone space and end-of-text: forbidden as the first sampled token."""
        return tuple(self.encode(" ")) + (self.eot,)

    # --- words ----------------------------------------------------------------------------------
    def split_to_word_tokens(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """Words and the tokens of each; by spaces, or by characters for languages written without spaces."""
        if self.language in NO_SPACE_LANGUAGES:
            return self.split_tokens_on_unicode(tokens)
        return self.split_tokens_on_spaces(tokens)

    def split_tokens_on_unicode(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """Group tokens until they decode to whole characters (a CJK character may span 2-3 tokens)."""
        full = self.decode_with_timestamps(tokens)
        words: list[str] = []
        groups: list[list[int]] = []
        pending: list[int] = []
        offset = 0
        for token in tokens:
            pending.append(token)
            text = self.decode_with_timestamps(pending)
            bad = text.find("\ufffd")
            # A replacement char that is also in the full text is real, not a cut character.
            if bad < 0 or (offset + bad < len(full) and full[offset + bad] == "\ufffd"):
                words.append(text)
                groups.append(pending)
                pending = []
                offset += len(text)
        return words, groups

    def split_tokens_on_spaces(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """Join sub-words into words: a new word starts at a space, a punctuation mark or a special token."""
        words: list[str] = []
        groups: list[list[int]] = []
        for piece, piece_tokens in zip(*self.split_tokens_on_unicode(tokens)):
            starts_word = (
                not words or piece_tokens[0] >= self.eot or piece.startswith(" ")
                or piece.strip() in string.punctuation
            )
            if starts_word:
                words.append(piece)
                groups.append(list(piece_tokens))
            else:
                words[-1] += piece
                groups[-1].extend(piece_tokens)
        return words, groups
