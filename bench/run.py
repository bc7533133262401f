"""Run every benchmark in bench/ and print their tables (``make bench``).

Each ``bench/<area>.py`` is a script that measures its own baseline in the same
run and prints a table; this runner only calls them one after another.
Pass area names to run a subset: ``.venv/bin/python bench/run.py report``.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
AREAS = ["foundation", "participant", "facilitator", "report", "sources", "disclosure"]


def main(argv: list[str]) -> int:
    wanted = argv or AREAS
    failed = []
    for area in wanted:
        script = HERE / f"{area}.py"
        if not script.exists():
            print(f"== {area}: no benchmark script")
            continue
        print(f"== {area}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        if result.returncode:
            failed.append(area)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
