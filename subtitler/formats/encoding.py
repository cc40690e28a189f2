"""Decode subtitle files whatever their encoding: BOMs first, then UTF-8, then a guess.

Legacy subtitles are mostly Windows code pages. charset-normalizer alone often
names an exotic DOS/Mac page for short Western text (cp775 for 'Café 5€'), so a
cp1252 check with a plausibility test runs before it; it still decides for
Cyrillic, Greek, Central European and East Asian files.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from subtitler.errors import FormatError
from subtitler.formats.base import FormatWarning

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_TYPOGRAPHY = set("\u00a0€‘’‚“”„–—…«»°·•™©®±×÷¡¿ªº§¶´¨¸¯")


class UnencodableText(FormatError):
    """The text holds a character the chosen encoding has no byte for (a legacy code page)."""


@dataclass(frozen=True)
class DecodedText:
    """Decoded text without BOM; `encoding` is a Python codec name, `bom` whether the file started with one.

    `warnings` name the lines whose bytes were not valid in `encoding` and were repaired.
    """

    text: str
    encoding: str
    bom: bool = False
    warnings: tuple[FormatWarning, ...] = ()


def decode_bytes(data: bytes, encoding: str | None = None, source: str = "file") -> DecodedText:
    """Decode with `encoding` when given (strict), otherwise detect it."""
    if encoding:
        return _decode_as(data, encoding, source)
    for bom, codec, _label in _BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                return _utf8_repaired(data[len(bom):], bom=True)
            return _replaced(data[len(bom):], codec)
    for codec in _candidates(data):
        try:
            return DecodedText(data.decode(codec), codec)
        except UnicodeDecodeError:
            if codec == "utf-8" and _has_utf8_sequences(data):
                return _utf8_repaired(data)  # UTF-8 with a few stray bytes, not a legacy file
            continue
    return DecodedText(data.decode("latin-1"), "latin-1")  # every byte string decodes as latin-1


def _replaced(data: bytes, codec: str) -> DecodedText:
    """A file its BOM names the encoding of: bytes that do not decode become U+FFFD, with a warning."""
    try:
        return DecodedText(data.decode(codec), codec, True)
    except UnicodeDecodeError as exc:
        text = data.decode(codec, errors="replace")
        line = text[: exc.start // max(1, len("a".encode(codec)))].count("\n") + 1
        return DecodedText(text, codec, True, (FormatWarning(line, f"not valid {codec} from byte {exc.start}; "
                                                                    "unreadable bytes are shown as \ufffd"),))


_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_sequences(data: bytes) -> bool:
    """Valid multi-byte UTF-8 characters occur: the file was written as UTF-8, whatever else slipped in."""
    return _MULTIBYTE.search(data) is not None


def _utf8_repaired(data: bytes, bom: bool = False) -> DecodedText:
    """UTF-8, with each invalid byte read as Windows-1252 (what a stray byte in a Western file almost always is).

    Decoding the whole file as cp1252 instead would turn every correct accent into mojibake ('SeÃ±or').
    """
    lines = data.split(b"\n")
    texts: list[str] = []
    repaired: list[int] = []
    for number, line in enumerate(lines, start=1):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", errors=_CP1252_REPAIR))
            repaired.append(number)
    warnings = ()
    if repaired:
        others = ", ".join(str(n) for n in repaired[1:10]) + (f" and {len(repaired) - 10} more" if len(repaired) > 10 else "")
        also = f" (also line {others})" if others else ""
        warnings = (FormatWarning(repaired[0], f"not valid UTF-8{also}; the stray bytes were read as Windows-1252 "
                                               "characters: check the accents there"),)
    return DecodedText("\n".join(texts), "utf-8", bom, warnings)


def _cp1252_repair(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


_CP1252_REPAIR = "subtitler-cp1252-repair"
codecs.register_error(_CP1252_REPAIR, _cp1252_repair)


def _decode_as(data: bytes, encoding: str, source: str, bom: bool = False) -> DecodedText:
    try:
        codecs.lookup(encoding)  # b"".decode() does not look the name up
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


def detect_newline(text: str) -> str:
    """The line end most lines of `text` use: '\\r\\n', '\\r' or '\\n' (also for a file without line ends)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((crlf, "\r\n"), (cr, "\r"), (lf, "\n"))
    return best[1] if best[0] else "\n"


def encode_text(text: str, encoding: str, bom: bool = False, newline: str = "\n", source: str = "file") -> bytes:
    """`text` (with '\\n' line ends) as the bytes of a file in `encoding`, with a BOM and `newline` line ends when asked."""
    if newline not in ("\n", "\r\n", "\r"):
        raise FormatError(f"{source}: unknown line end {newline!r}; use LF, CRLF or CR")
    if newline != "\n":
        text = text.replace("\n", newline)
    try:
        codec = codecs.lookup(encoding).name
        data = text.encode(encoding)
    except LookupError:
        raise FormatError(f"{source}: unknown encoding {encoding!r}; use utf-8, utf-8-sig, utf-16 or cp1252") from None
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        raise UnencodableText(f"{source}: {char!r} cannot be written in {encoding}; save as UTF-8 instead") from None
    marks = {codecs.lookup(c).name: mark for mark, c, _label in _BOMS}
    if bom and codec in marks and not data.startswith(marks[codec]):
        data = marks[codec] + data
    return data


def describe(encoding: str, bom: bool) -> str:
    """Human label for the status bar ('UTF-8 with BOM', 'cp1252')."""
    for _bom, codec, label in _BOMS:
        if bom and codecs.lookup(codec).name == codecs.lookup(encoding).name:
            return label
    return encoding
