"""How one `subtitler serve` runs: address, model, limits and the cache folder."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

API_KEY_ENV = "SUBTITLER_API_KEY"  # the key clients must send as "Authorization: Bearer KEY" when set
DEFAULT_PORT = 8000
DEFAULT_MAX_UPLOAD_MB = 1024  # local films are large; the OpenAI service's own limit is 25 MB
DEFAULT_CACHE_MB = 512
DEFAULT_QUEUE_SIZE = 16


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("subtitler", appauthor=False)) / "service"


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the server needs to start; the CLI builds it from its flags."""

    model: str = "base"
    devices: tuple[str, ...] = ("auto",)  # one model instance (and one worker) per device
    compute_type: str = "auto"  # subtitler.asr.precision.COMPUTE_TYPES, as `subtitler transcribe --compute-type`
    threads: int | None = None  # torch's CPU threads (None: one per core)
    allow_download: bool = True
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    api_key: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 2**20
    queue_size: int = DEFAULT_QUEUE_SIZE  # jobs waiting beyond the running ones; more get 503
    cache_dir: Path = field(default_factory=default_cache_dir)
    cache_max_bytes: int = DEFAULT_CACHE_MB * 2**20

    @property
    def uploads_dir(self) -> Path:
        """Uploads live here only while they are decoded: nothing the server writes leaves the cache folder."""
        return self.cache_dir / "uploads"

    @property
    def results_dir(self) -> Path:
        return self.cache_dir / "results"


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` ('localhost', 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
