"""What takes the space in a bundle folder: the total, the largest top-level parts and the largest files.

Run by packaging/build.sh after a build: python packaging/bundle_sizes.py dist/subtitler
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

MIB = 1 << 20


def sizes(bundle: Path) -> tuple[int, int, Counter, list[tuple[int, str]]]:
    """(total bytes, file count, bytes per top-level part of _internal, (bytes, path) per file)."""
    parts: Counter = Counter()
    files = []
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        relative = path.relative_to(bundle)
        inside = relative.parts[1:] if relative.parts[0] == "_internal" else relative.parts
        parts[inside[0] if len(inside) > 1 else "(libraries and files at the top)" if relative.parts[0] == "_internal"
              else str(relative)] += size
        files.append((size, relative.as_posix()))
    return sum(s for s, _ in files), len(files), parts, sorted(files, reverse=True)


def report(bundle: Path, top: int = 12) -> str:
    total, count, parts, files = sizes(bundle)
    lines = [f"{bundle.name}: {total / MIB:.0f} MiB in {count} files", "largest parts:"]
    lines += [f"  {size / MIB:7.1f} MiB  {name}" for name, size in parts.most_common(top)]
    lines.append("largest files:")
    lines += [f"  {size / MIB:7.1f} MiB  {name}" for size, name in files[:top]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/subtitler")))
