"""The real server with plain HTTP: errors, limits, the key, the cache, joining, cancelling, and where it writes."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from subtitler.cli import main
from tests.service.conftest import API_KEY, multipart, start_server, stop_server

pytestmark = pytest.mark.slow


def _error(body: bytes) -> str:
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error["message"]


def _cli_error_line(capsys, path: Path) -> str:
    """What `subtitler transcribe PATH` prints after 'subtitler: error: '."""
    assert main(["transcribe", str(path), "-m", "tiny.en", "--offline"]) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("subtitler: error: ") and "\n" not in line
    return line.removeprefix("subtitler: error: ")


@pytest.mark.parametrize("kind, needle", [("text", "not a media file"), ("silent", "no audio stream"),
                                          ("empty", "not a media file")])
def test_unsupported_media_is_400_with_the_cli_line(tiny_server, bad_media, capsys, kind, needle):
    path = bad_media[kind]
    expected = _cli_error_line(capsys, path).replace(str(path), path.name)
    status, _, body = tiny_server.post_audio(path)
    assert status == 400
    assert _error(body) == expected and needle in expected
    assert str(tiny_server.sandbox) not in _error(body)  # the server's copy of the upload is never named


def test_announced_upload_over_the_limit_is_refused_before_it_is_sent(tiny_server):
    with socket.create_connection(("127.0.0.1", tiny_server.port), timeout=10) as sock:
        sock.sendall(("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {API_KEY}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                      f"Content-Length: {50 * 2**20}\r\n\r\n").encode())
        reply = b""
        while b"}}" not in reply and (chunk := sock.recv(65536)):
            reply += chunk
        reply = reply.decode()
    assert reply.startswith("HTTP/1.1 413")
    assert "larger than this server's limit of 5 MB" in reply


def test_streamed_upload_over_the_limit_stops_at_the_limit(tiny_server):
    """No Content-Length (chunked): the server counts while it receives and keeps nothing."""
    body, content_type = multipart({"model": "whisper-1"}, "big.wav", b"\0" * (6 * 2**20))
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    status, _, reply = tiny_server.request("POST", "/v1/audio/transcriptions", chunks,
                                           {"Content-Type": content_type})  # an iterable body: http.client sends it chunked
    assert status == 413 and "limit of 5 MB" in _error(reply)
    assert tiny_server.health()["status"] == "ok"
    assert not list((tiny_server.cache_dir / "uploads").iterdir())


def test_api_key_is_required(tiny_server, data_dir):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}):
        key, tiny_server.api_key = tiny_server.api_key, None
        try:
            status, reply_headers, body = tiny_server.request("GET", "/v1/models", headers=headers)
            assert status == 401 and reply_headers["www-authenticate"] == "Bearer"
            assert "API key" in _error(body)
            status, _, _ = tiny_server.post_audio(data_dir / "LDC93S1.wav", headers=headers)
            assert status == 401
        finally:
            tiny_server.api_key = key
    assert tiny_server.request("GET", "/v1/models")[0] == 200
    status, _, _ = tiny_server.request("GET", "/health", headers={})  # health is open: load balancers probe it
    assert status == 200


def test_api_key_from_the_command_line(tmp_path, data_dir):
    server = start_server(tmp_path, "tiny.en", "--api-key", "from-the-flag")
    try:
        assert server.request("GET", "/v1/models")[0] == 401
        assert server.request("GET", "/v1/models", headers={"Authorization": "Bearer from-the-flag"})[0] == 200
    finally:
        stop_server(server)


@pytest.mark.parametrize("fields, needle", [
    ({"model": "whisper-1", "response_format": "docx"}, "response_format docx: unknown"),
    ({"model": "gpt-4o-transcribe"}, "model gpt-4o-transcribe: not served here"),
    ({"model": "whisper-1", "temperature": "2"}, "temperature 2: use a temperature from 0 to 1"),
    ({"model": "whisper-1", "temperature": "warm"}, "temperature warm: not a number"),
    ({"model": "whisper-1", "timestamp_granularities[]": "letter"}, "letter: unknown"),
    ({"model": "whisper-1", "stream": "maybe"}, "stream maybe: use true or false"),
])
def test_wrong_fields_are_400(tiny_server, data_dir, fields, needle):
    status, _, body = tiny_server.post_audio(data_dir / "LDC93S1.wav", fields=fields)
    assert status == 400 and needle in _error(body)


def test_not_a_form_is_400(tiny_server):
    status, _, body = tiny_server.request("POST", "/v1/audio/transcriptions", b'{"file": "x"}',
                                          {"Content-Type": "application/json"})
    assert status == 400 and "multipart/form-data" in _error(body)
    body, content_type = multipart({"model": "whisper-1"}, "x.wav", b"")
    no_file = body.replace(b'name="file"', b'name="audio"')
    status, _, reply = tiny_server.request("POST", "/v1/audio/transcriptions", no_file, {"Content-Type": content_type})
    assert status == 400 and "send exactly one file, in the field named 'file'" in _error(reply)


def test_repeated_request_is_answered_from_the_cache_at_once(tiny_server, data_dir):
    fields = {"model": "whisper-1", "response_format": "verbose_json", "prompt": "A repeated request."}
    status, headers, first = tiny_server.post_audio(data_dir / "jfk.flac", fields=fields)
    assert status == 200 and headers["x-subtitler-cache"] == "miss"
    done = tiny_server.health()["jobs"]["done"]
    began = time.monotonic()
    status, headers, again = tiny_server.post_audio(data_dir / "jfk.flac", fields=fields)
    elapsed = time.monotonic() - began
    assert status == 200 and headers["x-subtitler-cache"] == "hit" and again == first
    assert elapsed < 1.0, elapsed  # a fresh run of this file takes seconds
    assert tiny_server.health()["jobs"]["done"] == done  # nothing ran
    # another response format is rendered from the same cached result
    status, headers, text = tiny_server.post_audio(data_dir / "jfk.flac", fields=dict(fields, response_format="text"))
    assert headers["x-subtitler-cache"] == "hit" and text.decode() == json.loads(first)["text"] + "\n"
    # any option that changes the result is a different entry
    status, headers, _ = tiny_server.post_audio(data_dir / "jfk.flac", fields=dict(fields, temperature="0.4"))
    assert headers["x-subtitler-cache"] == "miss"


def test_identical_requests_in_flight_share_one_job(tiny_server, long_english):
    fields = {"model": "whisper-1", "prompt": "Two at once."}
    before = tiny_server.health()["jobs"]["done"]
    replies = [None, None]

    def call(i: int) -> None:
        replies[i] = tiny_server.post_audio(long_english, fields=fields)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    threads[0].start()
    time.sleep(0.5)  # the first has started its job
    threads[1].start()
    for thread in threads:
        thread.join(120)
    assert [r[0] for r in replies] == [200, 200]
    assert sorted(r[1]["x-subtitler-cache"] for r in replies) == ["joined", "miss"]
    assert replies[0][2] == replies[1][2]
    assert tiny_server.health()["jobs"]["done"] == before + 1


def _wait_for(predicate, timeout: float) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def test_health_answers_during_a_job_and_a_client_that_leaves_cancels_it(tiny_server, very_long_english):
    before = tiny_server.health()
    body, content_type = multipart({"model": "whisper-1", "prompt": "Cancel me."}, "long.wav",
                                   very_long_english.read_bytes())
    sock = socket.create_connection(("127.0.0.1", tiny_server.port))
    sock.sendall((f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
                  f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    _wait_for(lambda: tiny_server.health()["jobs"]["running"] == 1, 30)
    latencies = []
    for _ in range(10):  # the model is busy on the worker thread; the event loop still answers
        began = time.monotonic()
        assert tiny_server.health()["jobs"]["running"] == 1
        latencies.append(time.monotonic() - began)
        time.sleep(0.1)
    assert max(latencies) < 0.5, latencies
    sock.close()  # the client gives up
    cancelled_after = _wait_for(lambda: tiny_server.health()["jobs"]["cancelled"] == before["jobs"]["cancelled"] + 1, 10)
    after = tiny_server.health()
    assert after["jobs"]["running"] == 0 and after["in_flight"] == 0
    assert after["jobs"]["done"] == before["jobs"]["done"]  # it did not run to the end (a full run takes ~15 s)
    assert after["cache"]["entries"] == before["cache"]["entries"]
    assert cancelled_after < 5


def test_a_streaming_client_that_leaves_cancels_its_job(tiny_server, very_long_english):
    before = tiny_server.health()["jobs"]
    body, content_type = multipart({"model": "whisper-1", "prompt": "Stream, then leave.", "stream": "true"},
                                   "long.wav", very_long_english.read_bytes())
    sock = socket.create_connection(("127.0.0.1", tiny_server.port), timeout=60)
    sock.sendall((f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
                  f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    received = b""
    while b"transcript.text.delta" not in received:  # the first segment arrived while the job runs
        received += sock.recv(65536)
    assert received.startswith(b"HTTP/1.1 200") and b"text/event-stream" in received
    assert tiny_server.health()["jobs"]["running"] == 1
    sock.close()
    _wait_for(lambda: tiny_server.health()["jobs"]["cancelled"] == before["cancelled"] + 1, 10)
    assert tiny_server.health()["jobs"]["done"] == before["done"]


def test_full_queue_is_503_with_retry_after(tmp_path, very_long_english):
    server = start_server(tmp_path, "tiny.en", "--queue-size", "1")
    socks = []
    try:
        for prompt in ("running", "waiting"):
            body, content_type = multipart({"model": "whisper-1", "prompt": prompt}, "long.wav",
                                           very_long_english.read_bytes())
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall((f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
            socks.append(sock)
            _wait_for(lambda: server.health()["in_flight"] == len(socks), 30)
        _wait_for(lambda: server.health()["jobs"]["queued"] == 1, 30)
        status, headers, body = server.post_audio(very_long_english, fields={"model": "whisper-1", "prompt": "third"})
        assert status == 503 and headers["retry-after"] == "30" and "jobs are waiting already" in _error(body)
        for sock in socks:
            sock.close()
        _wait_for(lambda: server.health()["jobs"]["cancelled"] == 2, 20)
    finally:
        for sock in socks:
            sock.close()
        stop_server(server)


def test_nothing_is_written_outside_the_cache_folder(tiny_server, data_dir, bad_media):
    """HOME, TMPDIR, XDG_CACHE_HOME and the working folder of the server are in its sandbox: all stay empty."""
    tiny_server.post_audio(data_dir / "LDC93S1.wav", fields={"model": "whisper-1", "prompt": "Where do files go?"})
    tiny_server.post_audio(bad_media["text"])
    written = [p for p in tiny_server.sandbox.rglob("*") if p.is_file()]
    outside = [p for p in written if tiny_server.cache_dir not in p.parents and p != tiny_server.log]
    assert outside == []
    assert any(p.parent == tiny_server.cache_dir / "results" for p in written)
    assert not list((tiny_server.cache_dir / "uploads").iterdir())
