"""Fuzz every subtitle parser directly, at scale, and print how many inputs each took.

The same generators as tests/formats/test_fuzz.py (random text, mutated valid files, '-->' and
blank lines and BOMs spliced in, other encodings), with many more examples. A parser may return
a document or raise FormatError; anything else is counted as a failure and shown.

    .venv/bin/python benchmarks/fuzz_parsers.py                # 2,000 inputs per parser and class
    .venv/bin/python benchmarks/fuzz_parsers.py --examples 500
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from subtitler.formats.encoding import decode_bytes  # noqa: E402
from tests.formats.fuzzing import PARSERS, encoded_files, mutated, parse_directly, tricky_files  # noqa: E402

CLASSES = {
    "random text": lambda name: st.text(max_size=400),
    "mutated file": lambda name: mutated(name).map(lambda data: decode_bytes(data).text),
    "arrows, blank lines, BOMs": tricky_files,
    "other encodings": lambda name: encoded_files(name).map(lambda data: decode_bytes(data).text),
}


def fuzz(name: str, kind: str, examples: int, counts: Counter, failures: list) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(text=CLASSES[kind](name))
    def run(text: str) -> None:
        counts[(name, kind)] += 1
        try:
            parse_directly(name, text)
        except Exception as exc:  # noqa: BLE001 - anything but FormatError is what we look for
            failures.append((name, kind, type(exc).__name__, str(exc)[:120], text[:200]))

    run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="inputs per parser and class (default 2000)")
    args = parser.parse_args()
    counts: Counter = Counter()
    failures: list = []
    began = time.perf_counter()
    for name in PARSERS:
        for kind in CLASSES:
            fuzz(name, kind, args.examples, counts, failures)
        total = sum(n for (parser_name, _), n in counts.items() if parser_name == name)
        print(f"{name:<8} {total:>7} inputs  ({', '.join(f'{k}: {counts[(name, k)]}' for k in CLASSES)})", flush=True)
    print(f"all      {sum(counts.values()):>7} inputs in {time.perf_counter() - began:.0f} s; "
          f"{len(failures)} raised something other than FormatError")
    for failure in failures[:20]:
        print("  ", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
