#!/usr/bin/env bash
# Checks a built bundle folder: both executables answer --version without a display, every bundled
# library finds its dependencies, no CUDA library is inside, the bundled ffmpeg runs, torch imports,
# the editor starts (offscreen) with a media file. With a media file and a model folder it
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg=$(find "$bundle/_internal/imageio_ffmpeg/binaries" -name 'ffmpeg-*' -type f | head -1)
"$ffmpeg" -hide_banner -loglevel error -f lavfi -i "sine=frequency=440:duration=2" "$work/tone.wav"
echo "bundled ffmpeg: $(basename "$ffmpeg") runs"

# torch imports (transcribe loads it before it looks for the model) and a missing model is one clear line.
set +e
err=$(env -u DISPLAY SUBTITLER_MODELS_DIR="$work/none" "$bundle/subtitler" transcribe "$work/tone.wav" -m no-such-model --offline 2>&1)
status=$?
set -e
if [ "$status" != 2 ] || [ "$(echo "$err" | wc -l)" != 1 ]; then
  echo "transcribe without a model: expected one error line and status 2, got $status:" >&2
  echo "$err" >&2
  exit 1
fi
echo "transcribe without a model: $err"

# The editor starts (Qt platform, multimedia and image plugins load) and stays up until stopped.
set +e
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" \
  timeout 20 "$bundle/subtitler-gui" "$work/tone.wav" > "$work/gui.log" 2>&1
status=$?
set -e
if [ "$status" != 124 ]; then
  echo "subtitler-gui exited with status $status before it was stopped:" >&2
  cat "$work/gui.log" >&2
  exit 1
fi
echo "subtitler-gui: started offscreen with a media file and ran until stopped"

# The desktop entry installs from the bundle and starts the bundle's windowed executable.
XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config" "$bundle/subtitler" --install-desktop-entry > /dev/null
entry="$work/xdg-data/applications/org.subtitler.Subtitler.desktop"
gui=$(cd "$bundle" && pwd)/subtitler-gui
if ! grep -qxF "Exec=$gui %F" "$entry" && ! grep -qxF "Exec=\"$gui\" %F" "$entry"; then
  echo "desktop entry does not start $gui:" >&2
  grep '^Exec=' "$entry" >&2
  exit 1
fi
XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config" "$bundle/subtitler" --uninstall-desktop-entry > /dev/null
echo "desktop entry: installs with Exec=$gui %F, uninstalls"

if [ -n "$media" ] && [ -n "$model" ]; then
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
