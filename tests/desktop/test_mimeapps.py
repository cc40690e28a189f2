"""mimeapps.list edits keep the user's other lines and undo exactly what they added."""

from __future__ import annotations

from pathlib import Path

from subtitler.desktop import mimeapps

ID = "org.subtitler.Subtitler.desktop"
USER_FILE = """# my associations
[Default Applications]
text/vtt=org.gnome.TextEditor.desktop;
video/mp4=mpv.desktop;

[Added Associations]
video/mp4=vlc.desktop;mpv.desktop;
"""


def test_register_offers_for_all_types_defaults_only_where_unset(tmp_path: Path) -> None:
    path = tmp_path / "mimeapps.list"
    path.write_text(USER_FILE)
    types = ["video/mp4", "text/vtt", "application/x-subrip"]
    mimeapps.register(path, ID, types, default_for=["text/vtt", "application/x-subrip"])
    apps = mimeapps.MimeAppsList.read(path)
    assert path.read_text().startswith("# my associations\n")
    assert apps.get(mimeapps.ADDED, "video/mp4") == ["vlc.desktop", "mpv.desktop", ID]  # appended, others kept
    assert apps.get(mimeapps.ADDED, "text/vtt") == [ID]
    assert apps.get(mimeapps.DEFAULTS, "text/vtt") == ["org.gnome.TextEditor.desktop"]  # the user's choice stays
    assert apps.get(mimeapps.DEFAULTS, "video/mp4") == ["mpv.desktop"]
    assert apps.get(mimeapps.DEFAULTS, "application/x-subrip") == [ID]


def test_register_twice_adds_nothing_and_unregister_restores_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mimeapps.list"
    path.write_text(USER_FILE)
    for _ in range(2):
        mimeapps.register(path, ID, ["video/mp4", "text/vtt", "application/x-subrip"], ["application/x-subrip"])
    assert path.read_text().count(ID) == 4  # three offers + one default
    assert mimeapps.unregister(path, ID)
    assert path.read_text() == USER_FILE
    assert not mimeapps.unregister(path, ID)


def test_register_creates_a_missing_file_with_both_groups(tmp_path: Path) -> None:
    path = tmp_path / "config" / "mimeapps.list"
    mimeapps.register(path, ID, ["text/vtt"], ["text/vtt"])
    assert path.read_text() == f"[Added Associations]\ntext/vtt={ID};\n\n[Default Applications]\ntext/vtt={ID};\n"
