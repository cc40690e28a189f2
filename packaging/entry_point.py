"""Entry script of both bundled executables: `subtitler-gui` opens the editor, `subtitler` is the CLI.

One script for both (chosen by the executable's name) so the spec analyses the dependencies once
and the two executables share one folder of libraries. `subtitler-gui` is what the desktop entry,
"Open with" and a double-click start: errors about the files it was given appear as dialogs.
"""

import sys
from pathlib import Path


def _is_gui_executable() -> bool:
    return Path(sys.executable).stem.lower().endswith("-gui")


if __name__ == "__main__":
    # Options (--version, --install-desktop-entry, --help …) go to the CLI from either executable.
    if _is_gui_executable() and not (sys.argv[1:] and sys.argv[1].startswith("--")):
        from subtitler.gui.app import main as gui_main

        sys.exit(gui_main(sys.argv[1:]))
    from subtitler.cli import main

    sys.exit(main())
