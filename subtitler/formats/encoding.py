"""Decode subtitle files whatever their encoding: BOMs first, then UTF-8, then a guess.

Legacy subtitles are mostly Windows code pages. charset-normalizer alone often
names an exotic DOS/Mac page for short Western text (cp775 for 'Café 5€'), so a
cp1252 check with a plausibility test runs before it; it still decides for
Cyrillic, Greek, Central European and East Asian files.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from subtitler.errors import FormatError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_TYPOGRAPHY = set("\u00a0€‘’‚“”„–—…«»°·•™©®±×÷¡¿ªº§¶´¨¸¯")


@dataclass(frozen=True)
class DecodedText:
    """Decoded text without BOM; `encoding` is a Python codec name, `bom` whether the file started with one."""

    text: str
    encoding: str
    bom: bool = False


def decode_bytes(data: bytes, encoding: str | None = None, source: str = "file") -> DecodedText:
    """Decode with `encoding` when given (strict), otherwise detect it."""
    if encoding:
        return _decode_as(data, encoding, source)
    for bom, codec, _label in _BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom):], codec, source, bom=True)
    for codec in _candidates(data):
        try:
            return DecodedText(data.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    return DecodedText(data.decode("latin-1"), "latin-1")  # every byte string decodes as latin-1


def _decode_as(data: bytes, encoding: str, source: str, bom: bool = False) -> DecodedText:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise FormatError(f"{source}: unknown encoding {encoding!r}; use a name such as utf-8, cp1252 or utf-16") from None
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{source}: not valid {encoding} (byte {exc.start}); choose another encoding or leave it out to detect it"
        ) from None
    if text.startswith("\ufeff"):
        text, bom = text[1:], True
    return DecodedText(text, codecs.lookup(encoding).name, bom)


def _candidates(data: bytes) -> Iterator[str]:
    """Codecs to try in order, each computed only when the previous failed; the first that decodes strictly wins."""
    utf16 = _utf16_without_bom(data)
    if utf16:
        yield utf16  # before UTF-8, which accepts the NULs of UTF-16 ASCII text
    yield "utf-8"
    if _plausible_cp1252(data):
        yield "cp1252"
    guessed = _charset_normalizer_guess(data)
    if guessed:
        yield guessed


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly ASCII has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _plausible_cp1252(data: bytes) -> bool:
    """Western text: every non-ASCII character a letter or common typography, and accents a minority of letters."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    accented = letters = 0
    for char in text:
        if char.isascii():
            letters += char.isalpha()
            continue
        if unicodedata.category(char).startswith("L"):
            accented += 1
            letters += 1
        elif char not in _TYPOGRAPHY:
            return False
    return letters > 0 and accented <= 0.4 * letters


def _charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def describe(encoding: str, bom: bool) -> str:
    """Human label for the status bar ('UTF-8 with BOM', 'cp1252')."""
    for _bom, codec, label in _BOMS:
        if bom and codecs.lookup(codec).name == codecs.lookup(encoding).name:
            return label
    return encoding
