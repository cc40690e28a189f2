"""A real `subtitler serve` in a subprocess on 127.0.0.1, and plain-HTTP helpers for calling it.

The server runs with HOME, TMPDIR, XDG_CACHE_HOME and its working folder inside one sandbox
folder, so a test can check that it wrote nothing outside its cache folder.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
API_KEY = "test-key-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    sandbox: Path
    cache_dir: Path
    log: Path
    api_key: str | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 120) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def health(self) -> dict:
        return json.loads(self.request("GET", "/health", timeout=5)[2])

    def post_audio(self, path: Path, fields: dict | None = None, headers: dict | None = None,
                   route: str = "transcriptions") -> tuple[int, dict, bytes]:
        body, content_type = multipart(fields or {"model": "whisper-1"}, path.name, path.read_bytes())
        return self.request("POST", f"/v1/audio/{route}", body, {"Content-Type": content_type, **(headers or {})})


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body written out by hand, so a test controls every byte."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def start_server(sandbox: Path, model: str, *extra: str, api_key: str | None = None) -> Server:
    for name in ("home", "tmp", "xdg-cache", "cwd"):
        (sandbox / name).mkdir(parents=True, exist_ok=True)
    cache_dir = sandbox / "cache"
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(sandbox / "home"), TMPDIR=str(sandbox / "tmp"),
               XDG_CACHE_HOME=str(sandbox / "xdg-cache"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("SUBTITLER_API_KEY", None)
    if api_key:
        env["SUBTITLER_API_KEY"] = api_key  # the environment variable route; --api-key is tested in the CLI tests
    log = sandbox / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "subtitler", "serve", "--port", str(port), "-m", model, "--offline",
         "--cache-dir", str(cache_dir), *extra],
        cwd=sandbox / "cwd", env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(port, process, sandbox, cache_dir, log, api_key)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        try:
            server.health()
            return server
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not answer within 120 s: {log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory):
    """tiny.en with an API key (from SUBTITLER_API_KEY) and a 5 MB upload limit."""
    server = start_server(tmp_path_factory.mktemp("serve-tiny"), "tiny.en", "--max-upload-mb", "5", api_key=API_KEY)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def base_server(tmp_path_factory):
    """The multilingual base model (translation needs it), no key."""
    server = start_server(tmp_path_factory.mktemp("serve-base"), "base")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def openai_client(tiny_server):
    import openai

    return openai.OpenAI(base_url=f"{tiny_server.url}/v1", api_key=API_KEY, max_retries=0, timeout=300)


def _concatenate(data_dir: Path, names: tuple[str, ...], target: Path) -> Path:
    import numpy as np
    import soundfile

    from subtitler.media.decode import decode_audio

    pause = np.zeros(8000, dtype=np.float32)
    audio = np.concatenate([part for name in names for part in (decode_audio(data_dir / name), pause)])
    soundfile.write(target, audio, 16000)
    return target


_FIVE_CLIPS = ("jfk.flac", "leopard_test.wav", "librispeech_61-70968-0000.flac", "LDC93S1.wav", "mfa_acoustic_corpus.wav")


@pytest.fixture(scope="session")
def long_english(data_dir, tmp_path_factory) -> Path:
    """About 54 s of English speech (two 30-s windows): five shared clips one after another."""
    return _concatenate(data_dir, _FIVE_CLIPS, tmp_path_factory.mktemp("long") / "five_clips.wav")


@pytest.fixture(scope="session")
def very_long_english(data_dir, tmp_path_factory) -> Path:
    """About 160 s: a job that runs long enough to be cancelled while it runs."""
    return _concatenate(data_dir, _FIVE_CLIPS * 3, tmp_path_factory.mktemp("long") / "fifteen_clips.wav")


@pytest.fixture(scope="session")
def tiny_engine():
    from subtitler.asr.engine import load_engine

    return load_engine("tiny.en", device="cpu")


@pytest.fixture(scope="session")
def ldc_result(tiny_engine, data_dir):
    """A real TranscriptResult: tiny.en on the 3-s TIMIT sentence."""
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.media.decode import decode_audio
    from subtitler.service.results import TranscriptResult

    infos = []
    segments = tuple(tiny_engine.transcribe(decode_audio(data_dir / "LDC93S1.wav"), TranscribeOptions(),
                                            on_info=infos.append))
    return TranscriptResult("transcribe", infos[0], segments)
