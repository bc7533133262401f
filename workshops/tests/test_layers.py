"""The layers of ``workshops/`` import one way only (README, "Architecture").

choices → models → queries/analysis/sources → report → services → forms → views → urls.
A module may import its own layer and the layers below it, never one above. Every
module must have a layer: a new top-level module or package is added to LAYERS.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]

# Longest matching prefix wins (``workshops.sources.forms`` is a form, not a parser).
LAYERS: dict[str, int] = {
    "workshops": 0,  # the package itself and apps.py
    "workshops.choices": 0,
    "workshops.validators": 0,
    "workshops.logging": 0,
    "workshops.reference": 0,
    "workshops.links": 0,  # absolute links under PUBLIC_BASE_URL
    "workshops.room": 0,  # the LAN address for `make room`  # shipped data files and their reader
    "workshops.changes": 0,  # per-workshop change counters in the shared cache
    "workshops.models": 1,
    "workshops.queries": 2,
    "workshops.analysis": 2,
    "workshops.analysis.suggest": 2,  # theme suggestions (scikit-learn, loaded when used)
    "workshops.sources": 2,  # parsers: read a user's file, never write
    "workshops.report": 3,
    "workshops.services": 4,  # every write
    "workshops.access": 4,
    "workshops.forms": 5,
    "workshops.filters": 5,
    "workshops.sources.forms": 5,
    "workshops.report.forms": 5,
    "workshops.api": 5,  # serializers, roll-up shapes, pagination
    "workshops.api.views": 6,
    "workshops.views": 6,
    "workshops.middleware": 6,
    "workshops.templatetags": 6,
    "workshops.admin": 6,
    "workshops.management": 6,
    "workshops.urls": 7,
}
NAMES = ["choices", "models", "queries", "report", "services", "forms", "views", "urls"]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> int | None:
    while module:
        if module in LAYERS:
            return LAYERS[module]
        module = module.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path) -> set[str]:
    """The ``workshops`` modules that ``module`` imports, lazily or not."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:  # ``from workshops import queries`` imports a module
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
    return {name for name in found if name == "workshops" or name.startswith("workshops.")}


def test_every_module_has_a_layer():
    assert [module for module in MODULES if layer_of(module) is None] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    own = layer_of(module)
    upward = sorted(
        f"{target} ({NAMES[layer_of(target)]})"
        for target in imports_of(module, MODULES[module])
        if (layer_of(target) or 0) > (own or 0)
    )
    assert upward == [], f"{module} ({NAMES[own or 0]}) imports a higher layer"


def test_the_check_sees_an_upward_import(tmp_path):
    path = tmp_path / "example.py"
    path.write_text("from workshops.services import imports\nfrom . import charts\n")
    assert imports_of("workshops.report.example", path) == {
        "workshops.services.imports",
        "workshops.report.charts",
    }


def test_start_up_does_not_load_matplotlib_or_sklearn():
    """Charts import matplotlib when they draw, theme suggestions scikit-learn when they
    suggest: a process that serves pages starts faster."""
    code = (
        "import sys, django; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "print('matplotlib' in sys.modules or 'sklearn' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peaceexchange.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=PACKAGE.parent,
        check=True,
    )
    assert done.stdout.strip() == "False"
