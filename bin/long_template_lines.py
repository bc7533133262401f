"""List template lines longer than 120 characters, longest first: `path:line: length`.

    .venv/bin/python bin/long_template_lines.py [--limit N] [DIRECTORY]

Exits 1 when there is any, so it can serve as a check.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def long_lines(directory: Path, limit: int) -> list[tuple[int, str, int]]:
    found = []
    for path in sorted(directory.rglob("*")):
        if path.suffix not in {".html", ".txt", ".js"} or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if len(line) > limit:
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append((len(line), str(shown), number))
    return sorted(found, key=lambda item: (-item[0], item[1], item[2]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "templates"))
    parser.add_argument("--limit", type=int, default=120)
    options = parser.parse_args()
    found = long_lines(Path(options.directory).resolve(), options.limit)
    for length, path, number in found:
        print(f"{path}:{number}: {length}")
    print(f"{len(found)} lines over {options.limit} characters", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
