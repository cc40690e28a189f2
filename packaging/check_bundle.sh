#!/usr/bin/env bash
# Checks a built bundle folder: both executables answer --version without a display, every bundled
# library finds its dependencies, no CUDA library is inside. With a media file and a model folder it
# also transcribes offline, with the model placed in a temporary user models folder, as a user would.
#
#   bash packaging/check_bundle.sh dist/subtitler [MEDIA MODEL_FOLDER]
set -euo pipefail
bundle=${1:?usage: check_bundle.sh BUNDLE_DIR [MEDIA MODEL_FOLDER]}
media=${2:-}
model=${3:-}

for exe in subtitler subtitler-gui; do
  out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$bundle/$exe" --version)
  echo "$exe --version: $out"
  case "$out" in "subtitler "*) ;; *) echo "unexpected --version output from $exe" >&2; exit 1 ;; esac
done

# The Wayland client libraries come from the user's Wayland session, as PyInstaller expects; anything else
# missing would fail on the user's machine too.
missing=$(find "$bundle/_internal" -name '*.so*' -type f -print0 \
  | LD_LIBRARY_PATH="$bundle/_internal" xargs -0 -n 50 ldd 2>/dev/null | grep 'not found' \
  | grep -v -E 'libwayland-(client|cursor|egl)\.so' | sort -u || true)
if [ -n "$missing" ]; then
  echo "bundled libraries with unresolved dependencies:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "libraries: every dependency resolves"

if find "$bundle" -iname '*libcudart*' -o -iname '*libcublas*' -o -iname '*libcudnn*' | grep -q .; then
  echo "CUDA libraries found in a CPU bundle" >&2
  exit 1
fi

if [ -n "$media" ] && [ -n "$model" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/models"
  cp -r "$model" "$work/models/$(basename "$model")"
  name=$(basename "$model")
  echo "transcribing $media with $name from the user's models folder, offline"
  start=$(date +%s)
  env -u DISPLAY SUBTITLER_MODELS_DIR="$work/models" "$bundle/subtitler" models list | grep -E "^ *$name\b" || true
  env -u DISPLAY SUBTITLER_MODELS_DIR="$work/models" HF_HUB_OFFLINE=1 \
    "$bundle/subtitler" transcribe "$media" -m "$name" --offline -o "$work/out.srt"
  echo "transcribed in $(( $(date +%s) - start )) s:"
  cat "$work/out.srt"
  grep -q -- '-->' "$work/out.srt"
fi
echo "bundle check passed"
