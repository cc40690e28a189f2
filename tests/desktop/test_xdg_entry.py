"""The desktop entry installs into an XDG home: entry, icons, metainfo, MIME type, associations, caches."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from subtitler.desktop import xdg_entry
from subtitler.desktop.resources import APP_ID, resources_dir
from subtitler.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


def _entry_lines(dirs: xdg_entry.XdgDirs) -> dict[str, str]:
    text = (dirs.applications / f"{APP_ID}.desktop").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _xdg_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"), PYTHONPATH=str(ROOT))
    return env


def test_cli_installs_and_uninstalls_into_the_xdg_home(tmp_path: Path) -> None:
    env = _xdg_env(tmp_path)
    result = subprocess.run([sys.executable, "-m", "subtitler", "--install-desktop-entry"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    dirs = xdg_entry.XdgDirs(tmp_path / "data", tmp_path / "config")
    lines = _entry_lines(dirs)
    assert lines["Icon"] == APP_ID
    assert lines["Exec"].endswith(" %F")
    launcher = Path(sys.executable).absolute().parent / "subtitler-gui"
    expected = str(launcher) if launcher.is_file() else f"{Path(sys.executable).absolute()} -m subtitler"
    assert lines["Exec"] == f"{expected} %F"  # this installation's absolute path, not whatever is on PATH
    types = lines["MimeType"].rstrip(";").split(";")
    assert {"application/x-subrip", "text/vtt", "text/x-ssa", "video/mp4", "audio/x-wav"} <= set(types)
    assert (dirs.hicolor / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (dirs.hicolor / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (dirs.data_home / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert f"video/mp4={APP_ID}.desktop;" in dirs.mimeapps_list.read_text()

    result = subprocess.run([sys.executable, "-m", "subtitler", "--uninstall-desktop-entry"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (dirs.applications / f"{APP_ID}.desktop").exists()
    assert not list(dirs.hicolor.glob(f"*/apps/{APP_ID}.*"))
    assert APP_ID not in dirs.mimeapps_list.read_text()


def test_installed_entry_is_valid_and_caches_know_it(tmp_path: Path) -> None:
    dirs = xdg_entry.XdgDirs(tmp_path / "data", tmp_path / "config")
    report = xdg_entry.install(dirs, command=["/opt/Sub titler/subtitler-gui"])
    assert _entry_lines(dirs)["Exec"] == '"/opt/Sub titler/subtitler-gui" %F'
    tools = ("desktop-file-validate", "update-desktop-database", "update-mime-database")
    if not all(shutil.which(tool) for tool in tools):
        pytest.skip(f"needs {', '.join(tools)} (apt: desktop-file-utils shared-mime-info; packaging/install-dev.sh)")
    check = subprocess.run(["desktop-file-validate", str(dirs.applications / f"{APP_ID}.desktop")],
                           capture_output=True, text=True)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    assert "update-desktop-database" in report.refreshed
    assert f"application/x-subrip={APP_ID}.desktop" in (dirs.applications / "mimeinfo.cache").read_text()
    # The project MIME type parsed (an XML error leaves it out of the compiled globs).
    assert "application/x-subtitler-project:*.subtitler.json" in (dirs.mime / "globs2").read_text()


def test_metainfo_validates() -> None:
    if shutil.which("appstreamcli") is None:
        pytest.skip("needs appstreamcli (apt: appstream; packaging/install-dev.sh)")
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(resources_dir() / f"{APP_ID}.metainfo.xml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("arg", "quoted"), [
    ("/usr/bin/subtitler-gui", "/usr/bin/subtitler-gui"),
    ("/home/a b/subtitler-gui", '"/home/a b/subtitler-gui"'),
    ("/home/$USER/x", '"/home/\\\\$USER/x"'),
    ("/home/100%/x", "/home/100%%/x"),
])
def test_exec_arguments_are_quoted_as_the_spec_asks(arg: str, quoted: str) -> None:
    assert xdg_entry.quote_exec_argument(arg) == quoted


def test_other_platforms_get_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(UserError, match="Linux"):
        xdg_entry.install(xdg_entry.XdgDirs(tmp_path, tmp_path))


def test_unwritable_home_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(UserError, match="could not install"):
        xdg_entry.install(xdg_entry.XdgDirs(blocker, tmp_path / "config"), command=["/x/subtitler-gui"])


def test_version_needs_no_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    for command in ([sys.executable, "-m", "subtitler", "--version"],
                    [sys.executable, str(ROOT / "packaging" / "entry_point.py"), "--version"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.strip().startswith("subtitler 0."), result


def test_mutually_exclusive_flags_exit_2_with_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "subtitler", "--install-desktop-entry", "--uninstall-desktop-entry"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
