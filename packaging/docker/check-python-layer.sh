#!/usr/bin/env bash
# Rehearses the image's Python layer without a Docker engine: a fresh venv gets exactly what the
# Dockerfile installs (torch, then pyproject's dependencies minus the GUI, then the package
# --no-deps), and a server started from it answers a transcription. What it cannot rehearse:
# the python:3.11-slim base, the PyTorch CPU index (the machine's pinned torch wheel is used),
# the non-root user and the volumes.
# Usage: bash packaging/docker/check-python-layer.sh MODEL_FOLDER AUDIO_FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1 audio=$2
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q torch==2.13.0  # the image: pip install --index-url <CPU index> "torch>=2.1,<3"
python3 packaging/docker/server_requirements.py pyproject.toml > "$work/requirements.txt"
"$work/venv/bin/pip" install -q -r "$work/requirements.txt"
"$work/venv/bin/pip" install -q --no-deps .
if "$work/venv/bin/python" -c "import PySide6" 2>/dev/null || "$work/venv/bin/python" -c "import pyqtgraph" 2>/dev/null; then
  echo "the server layer must not contain the GUI libraries" >&2; exit 1
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && SUBTITLER_MODELS_DIR="$work/models" "$work/venv/bin/subtitler" serve --port "$port" -m "$model" \
   --offline --cache-dir "$work/cache") &
server=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/v1/audio/transcriptions" -F "file=@$audio" -F model=whisper-1 -F response_format=text
echo "du of the venv: $(du -sh "$work/venv" | cut -f1)"
