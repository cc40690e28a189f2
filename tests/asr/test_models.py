"""Finding models, and downloading them from a local stand-in for the Hugging Face hub."""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from subtitler.asr import models
from subtitler.errors import Cancelled, ModelError

REPO = "Systran/faster-whisper-tiny.en"


class Hub:
    """What the test server does: files to serve, sha256 to announce, where to cut a reply short."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sha = {"model.bin": hashlib.sha256((folder / "model.bin").read_bytes()).hexdigest()}
        self.cut_after: int | None = None  # bytes of model.bin sent before dropping the connection once
        self.requests: list[tuple[str, str | None]] = []


class Handler(http.server.BaseHTTPRequestHandler):
    """Like the hub: /REPO/resolve/main/FILE redirects large files (with X-Linked-Etag) to a CDN path."""

    hub: Hub

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.hub.requests.append((self.path, self.headers.get("Range")))
        match = re.fullmatch(r"/(.+)/resolve/main/([\w.]+)", self.path)
        if match and match.group(1) == REPO:
            return self._resolve(match.group(2))
        if self.path.startswith("/cdn/"):
            return self._serve(self.path[5:])
        self.send_error(404)

    def _resolve(self, name: str) -> None:
        if not (self.hub.folder / name).is_file():
            return self.send_error(404)
        if name in self.hub.sha:
            self.send_response(302)
            self.send_header("Location", f"/cdn/{name}")
            self.send_header("X-Linked-Etag", f'"{self.hub.sha[name]}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("ETag", '"0123456789abcdef0123456789abcdef01234567"')  # a git sha1: not checked
        self._body((self.hub.folder / name).read_bytes())

    def _serve(self, name: str) -> None:
        data = (self.hub.folder / name).read_bytes()
        start = 0
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if wanted:
            start = int(wanted.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        if self.hub.cut_after is not None:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: self.hub.cut_after])
            self.hub.cut_after = None
            self.close_connection = True
            return
        self._body(body)

    def _body(self, body: bytes) -> None:
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def hub(tiny_en_dir):
    state = Hub(tiny_en_dir)
    handler = type("BoundHandler", (Handler,), {"hub": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture()
def models_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(folder))
    return folder


def _same_files(a: Path, b: Path, names=("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


@pytest.mark.slow
def test_interrupted_download_resumes_with_range(hub, models_dir, tiny_en_dir):
    hub.cut_after = 10_000_000
    with pytest.raises(ModelError, match="interrupted"):
        models.download_model("tiny.en", base_url=hub.url)
    part = models_dir / "tiny.en" / "model.bin.part"
    assert part.stat().st_size == 10_000_000 and not (models_dir / "tiny.en" / "model.bin").exists()
    seen = []
    folder = models.download_model("tiny.en", on_progress=lambda d, t: seen.append((d, t)), base_url=hub.url)
    assert folder == models_dir / "tiny.en" and not part.exists()
    assert ("/cdn/model.bin", "bytes=10000000-") in hub.requests
    assert _same_files(folder, tiny_en_dir)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    size = sum((folder / n).stat().st_size for n in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"))
    assert seen[-1] == (size, size)
    assert models.find_model("tiny.en") == folder  # the user folder now wins over the package


@pytest.mark.slow
def test_checksum_mismatch_leaves_no_file(hub, models_dir):
    hub.sha["model.bin"] = hashlib.sha256(b"another file").hexdigest()
    with pytest.raises(ModelError, match="checksum mismatch") as info:
        models.download_model("tiny.en", base_url=hub.url)
    assert "model.bin" in str(info.value)
    folder = models_dir / "tiny.en"
    assert not (folder / "model.bin").exists() and not (folder / "model.bin.part").exists()


def test_cancel_keeps_part_for_resume(hub, models_dir):
    done = [0]

    def progress(d: int, t: int) -> None:
        done[0] = d

    with pytest.raises(Cancelled):
        models.download_model("tiny.en", on_progress=progress, base_url=hub.url, should_stop=lambda: done[0] > 8_000_000)
    folder = models_dir / "tiny.en"
    assert (folder / "model.bin.part").stat().st_size > 4_000_000 and not (folder / "model.bin").exists()
    assert not models.is_complete(folder)


def test_complete_part_file_finishes_on_416(hub, models_dir, tiny_en_dir):
    folder = models_dir / "tiny.en"
    folder.mkdir(parents=True)
    (folder / "model.bin.part").write_bytes((tiny_en_dir / "model.bin").read_bytes())  # a finished earlier run
    models.download_model("tiny.en", base_url=hub.url)
    size = (tiny_en_dir / "model.bin").stat().st_size
    assert ("/cdn/model.bin", f"bytes={size}-") in hub.requests  # answered 416: nothing left to send
    assert (folder / "model.bin").stat().st_size == size and not (folder / "model.bin.part").exists()


def test_unreachable_server_and_unknown_name(models_dir):
    with pytest.raises(ModelError, match="cannot download"):
        models.download_model("tiny.en", base_url="http://127.0.0.1:9")
    with pytest.raises(ModelError, match="unknown model"):
        models.download_model("huge-v9")


def test_find_model_lookup_order(models_dir, tiny_en_dir, base_dir, tmp_path):
    assert models.find_model(str(tiny_en_dir)) == tiny_en_dir  # explicit path first
    assert models.find_model("tiny.en") == tiny_en_dir  # installed package
    assert models.find_model("base") == base_dir
    user = models_dir / "tiny.en"
    user.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        os.symlink(tiny_en_dir / name, user / name)
    assert models.find_model("tiny.en") == user  # the user folder beats the package
    with pytest.raises(ModelError, match=r"subtitler models download small"):
        models.find_model("small")
    with pytest.raises(ModelError, match="unknown model"):
        models.find_model("gigantic")
    with pytest.raises(ModelError, match="no such model file"):
        models.find_model(str(tmp_path / "missing" / "model.bin"))


def test_turbo_alias_and_names():
    assert models.known_model_names()[:4] == ("tiny.en", "tiny", "base.en", "base")
    assert len(models.known_model_names()) == 12
    assert models.canonical_name("turbo") == "large-v3-turbo"
    assert models.canonical_name("Large-V3") == "large-v3"


def test_resolve_model_downloads_only_when_allowed(hub, models_dir, monkeypatch):
    monkeypatch.setattr(models, "_REPOS", {**models._REPOS, "small.en": (REPO, False)})
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    with pytest.raises(ModelError, match="not installed"):
        models.resolve_model("small.en")
    assert models.resolve_model("small.en", allow_download=True) == models_dir / "small.en"


def test_list_models(models_dir, tiny_en_dir):
    extra = models_dir / "my-finetune.en"
    extra.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        os.symlink(tiny_en_dir / name, extra / name)
    infos = {i.name: i for i in models.list_models()}
    assert infos["tiny.en"].source == "package" and not infos["tiny.en"].multilingual
    assert infos["base"].source == "package" and infos["base"].size_bytes > 145_000_000  # both parts
    assert infos["large-v3"].path is None and infos["large-v3"].source == "download"
    assert infos["my-finetune.en"].source == "user" and not infos["my-finetune.en"].multilingual


def test_import_and_lookup_are_cheap():
    code = ("import sys, subtitler.asr.models as m; m.list_models(); m.find_model('tiny.en'); "
            "print('torch' in sys.modules, 'urllib.request' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
