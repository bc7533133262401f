"""The project's code at an older commit, for a benchmark's baseline in the same run."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_of(revision: str, *, catalogue: bool = False) -> Path:
    """``revision``'s tree (``git archive``) in a temporary directory; with ``catalogue``,
    its French catalogue compiled (the .mo files are not in git)."""
    target = Path(tempfile.mkdtemp(prefix="pe-bench-code-"))
    archive = subprocess.run(
        ["git", "archive", revision],  # noqa: S607 - a developer tool, git from PATH
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)  # noqa: S607
    if catalogue:
        subprocess.run([sys.executable, "bin/compile_messages.py"], cwd=target, check=True)
    return target
