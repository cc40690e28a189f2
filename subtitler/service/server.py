"""Start the service: load one engine per device, then run uvicorn until Ctrl+C."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from subtitler.service.config import ServiceConfig, is_loopback

log = logging.getLogger(__name__)


def load_engines(config: ServiceConfig, on_download_progress: Callable[[int, int], None] | None = None) -> dict[str, object]:
    """device -> Engine: one model instance per device ('auto' resolves to the GPU when there is one)."""
    from subtitler.asr.engine import load_engine, pick_device

    devices = list(dict.fromkeys(pick_device(d) for d in config.devices))
    return {device: load_engine(config.model, device=device, compute_type=config.compute_type, threads=config.threads,
                                allow_download=config.allow_download, on_download_progress=on_download_progress)
            for device in devices}


def serve(config: ServiceConfig, engines: dict[str, object]) -> None:
    """Blocking: serve until interrupted; the jobs still running are cancelled on the way out."""
    import uvicorn

    from subtitler.service.app import create_app

    app = create_app(config, engines, config.model)
    if not is_loopback(config.host) and not config.api_key:
        print(f"subtitler: warning: listening on {config.host} without an API key: anyone who can reach "
              "this port can use the server; set --api-key or SUBTITLER_API_KEY", file=sys.stderr)
    print(f"subtitler: serving {config.model} on {', '.join(engines)} at http://{_url_host(config.host)}:{config.port}/v1 "
          f"(cache {config.cache_dir})", file=sys.stderr, flush=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning", timeout_graceful_shutdown=5)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
