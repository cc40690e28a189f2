"""The streaming multipart receiver: fields, the file on disk with its hash, limits, and damaged forms."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from subtitler.service.upload import BadForm, UploadTooLarge, check_content_length, receive_upload
from tests.service.conftest import multipart


def _receive(body: bytes, content_type: str, folder, limit: int = 10**6, chunk: int = 7):
    async def stream():
        for i in range(0, len(body), chunk):  # small odd chunks: boundaries fall anywhere
            yield body[i:i + chunk]

    return asyncio.run(receive_upload(content_type, stream(), folder, limit))


def test_fields_and_file(tmp_path):
    data = bytes(range(256)) * 40
    body, content_type = multipart({"model": "whisper-1", "timestamp_granularities[]": ["word", "segment"],
                                    "prompt": "Grüße"}, "talk.MP3", data)
    upload = _receive(body, content_type, tmp_path)
    assert upload.value("model") == "whisper-1" and upload.value("prompt") == "Grüße"
    assert upload.fields["timestamp_granularities[]"] == ["word", "segment"]
    assert upload.filename == "talk.MP3" and upload.size == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.path.parent == tmp_path and upload.path.suffix == ".mp3" and upload.path.read_bytes() == data
    upload.discard()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\x.wav", "/abs/path.wav", "a.wav/../../b", "x.$(rm)"])
def test_a_hostile_file_name_never_leaves_the_folder(tmp_path, name):
    body, content_type = multipart({}, name, b"data")
    upload = _receive(body, content_type, tmp_path / "uploads")
    assert upload.path.parent == tmp_path / "uploads" and upload.filename == name
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [upload.path.name]


def test_over_the_limit_stops_and_keeps_nothing(tmp_path):
    body, content_type = multipart({}, "big.wav", b"x" * 5000)
    with pytest.raises(UploadTooLarge, match="limit"):
        _receive(body, content_type, tmp_path, limit=4999)
    assert not list(tmp_path.iterdir())
    assert _receive(body, content_type, tmp_path, limit=5000).size == 5000


def test_announced_length_over_the_limit():
    with pytest.raises(UploadTooLarge):
        check_content_length({"content-length": str(10 * 2**20)}, 2**20)
    check_content_length({"content-length": str(2**20 + 100)}, 2**20)  # room for the form around the file
    check_content_length({}, 2**20)


@pytest.mark.parametrize("mutate, needle", [
    (lambda b, ct: (b, "application/json"), "multipart/form-data"),
    (lambda b, ct: (b, "multipart/form-data"), "multipart/form-data"),
    (lambda b, ct: (b.replace(b'name="file"', b'name="audio"'), ct), "field named 'file'"),
    (lambda b, ct: (b.replace(b'; filename="a.wav"', b""), ct), "no 'file' field"),
    (lambda b, ct: (b[: len(b) - 20], ct), "ended before the whole file arrived"),
    (lambda b, ct: (b.replace(b"Content-Disposition: form-data; name=\"model\"", b"X-Nothing: 1"), ct), "no name"),
])
def test_bad_forms(tmp_path, mutate, needle):
    body, content_type = multipart({"model": "whisper-1"}, "a.wav", b"abc")
    body, content_type = mutate(body, content_type)
    with pytest.raises(BadForm, match=needle):
        _receive(body, content_type, tmp_path)
    assert not list(tmp_path.iterdir())


def test_two_files_are_refused(tmp_path):
    body, content_type = multipart({}, "a.wav", b"abc")
    boundary = content_type.split("boundary=")[1]
    second = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.wav"\r\n\r\nxyz\r\n').encode()
    body = second + body
    with pytest.raises(BadForm, match="exactly one file"):
        _receive(body, content_type, tmp_path)
    assert not list(tmp_path.iterdir())


def test_long_field_is_refused(tmp_path):
    body, content_type = multipart({"prompt": "x" * 70_000}, "a.wav", b"abc")
    with pytest.raises(BadForm, match="prompt"):
        _receive(body, content_type, tmp_path)
