"""``python -m backend.demo [--check]``: write (or check) ``backend/demo/demo.jsonl`` from the
demo's specs (``backend.demo.feed``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.demo.feed import FILE_NAME, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check backend/demo/demo.jsonl.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    path = Path(__file__).with_name(FILE_NAME)
    text = render()
    if args.check:
        stale = not path.is_file() or path.read_text(encoding="utf-8") != text
        print(f"{path}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
