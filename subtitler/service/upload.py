"""Receive a multipart/form-data request: the fields in memory, the one file streamed into the uploads folder.

Written on python-multipart's streaming parser rather than Starlette's form parser because
the server must (1) write nothing outside its cache folder (Starlette spools large files to
the system temp folder), (2) stop an oversized upload as soon as it passes the limit, and
(3) hash the audio while it arrives, for the cache key.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from subtitler.errors import UserError

MAX_FIELDS = 64
MAX_FIELD_BYTES = 64 * 1024  # a prompt is a few hundred characters
FILE_FIELD = "file"


class UploadTooLarge(Exception):
    """The body passed the server's upload limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than this server's limit of {limit / 2**20:.0f} MB; "
                         "send a smaller file or start the server with a larger --max-upload-mb")
        self.limit = limit


class BadForm(UserError):
    """The request is not the multipart form the OpenAI audio API defines (HTTP 400)."""


@dataclass
class Upload:
    """What a request carried; ``path`` is the audio on disk until :meth:`discard` removes it."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    path: Path | None = None
    filename: str = ""
    size: int = 0
    sha256: str = ""

    def value(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def check_content_length(headers, limit: int) -> None:
    """Refuse before reading when the client announces a body over the limit."""
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + MAX_FIELDS * 1024:
        raise UploadTooLarge(limit)


async def receive_upload(content_type: str | None, body: AsyncIterator[bytes], folder: Path, limit: int) -> Upload:
    """Parse the whole body; the file part goes to a new file in ``folder`` (removed again on any error)."""
    mime, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary:
        raise BadForm("send the audio as multipart/form-data with a 'file' field, as the OpenAI audio API expects")
    receiver = _Receiver(folder, limit)
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
        return receiver.finish()
    except MultipartParseError as exc:
        receiver.abort()
        raise BadForm(f"the multipart form is damaged ({exc}); send it again") from None
    except BaseException:
        receiver.abort()
        raise


class _Receiver:
    """python-multipart callbacks: headers per part, field values in memory, the file to disk."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder, self.limit = folder, limit
        self.upload = Upload()
        self._header_name = self._header_value = b""
        self._disposition = b""
        self._name: str | None = None
        self._data = bytearray()
        self._file = None
        self._in_file = False
        self._hash = hashlib.sha256()
        self._fields = 0

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_val, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition, self._name, self._data = b"", None, bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_val(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise BadForm("a form part has no name; send the fields the OpenAI audio API names")
        self._name = options[b"name"].decode("utf-8", "replace")
        self._fields += 1
        if self._fields > MAX_FIELDS:
            raise BadForm(f"more than {MAX_FIELDS} form fields; send only the audio API's fields")
        if b"filename" in options:
            if self._name != FILE_FIELD or self.upload.path is not None:
                raise BadForm("send exactly one file, in the field named 'file'")
            self.upload.filename = options[b"filename"].decode("utf-8", "replace")
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.folder, prefix="upload-", suffix=_safe_suffix(self.upload.filename))
            self._file = os.fdopen(fd, "wb")
            self.upload.path = Path(name)
            self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._in_file:
            self.upload.size += len(chunk)
            if self.upload.size > self.limit:
                raise UploadTooLarge(self.limit)
            self._hash.update(chunk)
            self._file.write(chunk)  # buffered local writes of a few KB: not worth a thread hop each
        else:
            self._data += chunk
            if len(self._data) > MAX_FIELD_BYTES:
                raise BadForm(f"form field '{self._name}' is longer than {MAX_FIELD_BYTES // 1024} KB")

    def _part_end(self) -> None:
        if self._in_file:
            self._file.close()
            self.upload.sha256 = self._hash.hexdigest()
            self._in_file = False
        elif self._name is not None:
            self.upload.fields.setdefault(self._name, []).append(self._data.decode("utf-8", "replace"))

    def finish(self) -> Upload:
        if self._in_file:
            self.abort()
            raise BadForm("the upload ended before the whole file arrived; send it again")
        if self.upload.path is None:
            self.abort()
            raise BadForm("the form has no 'file' field; send the audio or video file as 'file'")
        return self.upload

    def abort(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        self.upload.discard()


def _safe_suffix(filename: str) -> str:
    """The client's extension if it is plain ('.mp3'), so ffmpeg and messages see a familiar name; never a path."""
    suffix = Path(filename.replace("\\", "/")).suffix
    return suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""
