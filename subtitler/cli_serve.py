"""`subtitler serve`: the OpenAI-compatible transcription server on this machine.

FastAPI, uvicorn and torch are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from subtitler.errors import UserError


def register(sub: "argparse._SubParsersAction") -> None:
    from subtitler.cli_asr import add_compute_args
    from subtitler.service.config import API_KEY_ENV, DEFAULT_CACHE_MB, DEFAULT_MAX_UPLOAD_MB, DEFAULT_PORT, DEFAULT_QUEUE_SIZE

    p = sub.add_parser(
        "serve", help="OpenAI-compatible transcription server (POST /v1/audio/transcriptions)",
        description="Serves POST /v1/audio/transcriptions and /v1/audio/translations as the OpenAI API defines them "
                    "(response_format json, text, srt, vtt, verbose_json; timestamp_granularities[]; stream=true as "
                    "server-sent events), GET /v1/models and GET /health. Results are cached on disk by audio content "
                    "and options; a client that disconnects cancels its job.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("-m", "--model", default="base", help="model name or path (default base)")
    p.add_argument("--device", default="auto",
                   help="auto, cpu, cuda or cuda:N; a comma-separated list runs one model instance per device")
    add_compute_args(p)
    p.add_argument("--offline", action="store_true", help="never download the model; fail if it is not installed")
    p.add_argument("--api-key", default=None,
                   help=f"require 'Authorization: Bearer KEY' (default: ${API_KEY_ENV} if set, else no key)")
    p.add_argument("--max-upload-mb", type=float, default=DEFAULT_MAX_UPLOAD_MB, metavar="MB",
                   help=f"largest upload accepted (default {DEFAULT_MAX_UPLOAD_MB})")
    p.add_argument("--queue-size", type=int, default=DEFAULT_QUEUE_SIZE, metavar="N",
                   help=f"jobs that may wait while others run; more get HTTP 503 (default {DEFAULT_QUEUE_SIZE})")
    p.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="folder for cached results and uploads in progress (default: the user cache folder)")
    p.add_argument("--cache-mb", type=float, default=DEFAULT_CACHE_MB, metavar="MB",
                   help=f"size limit of the result cache; least recently used results go first (default {DEFAULT_CACHE_MB})")
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    from subtitler.service.config import API_KEY_ENV, ServiceConfig, default_cache_dir

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: use a port from 1 to 65535")
    for name, value in (("--max-upload-mb", args.max_upload_mb), ("--cache-mb", args.cache_mb), ("--queue-size", args.queue_size)):
        if value <= 0:
            raise UserError(f"{name} {value:g}: use a number above 0")
    cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    _check_cache_dir(cache_dir)
    config = ServiceConfig(
        model=args.model, devices=tuple(d.strip() for d in args.device.split(",") if d.strip()) or ("auto",),
        compute_type=args.compute_type, threads=args.threads, allow_download=not args.offline, host=args.host, port=args.port,
        api_key=args.api_key or os.environ.get(API_KEY_ENV) or None,
        max_upload_bytes=int(args.max_upload_mb * 2**20), queue_size=args.queue_size,
        cache_dir=cache_dir, cache_max_bytes=int(args.cache_mb * 2**20),
    )
    from subtitler.cli_asr import ProgressBar
    from subtitler.service.server import load_engines, serve

    progress = ProgressBar(sys.stderr, unit="MB", scale=1e-6, label="download")
    engines = load_engines(config, on_download_progress=progress.update)
    progress.finish()
    serve(config, engines)
    return 0


def _check_cache_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--cache-dir {folder}: cannot create it ({exc.strerror or exc}); choose another folder") from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"--cache-dir {folder}: not writable; choose a folder this user can write to")
