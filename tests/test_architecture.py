"""docs/architecture.md, the map of where each concept lives, names every app module and only modules that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
APP = ROOT / "operations"
NOT_MAPPED = {"__init__.py"}  # a package is mapped by its folder
NOT_WALKED = {"migrations", "management", "templatetags", "reference_data", "data", "__pycache__"}


def named_modules():
    """Every `operations/...` path the map names, with the bare module names listed beside a package."""
    names = set(re.findall(r"`(operations/[\w/.]+)`", MAP))
    for row in MAP.splitlines():
        package = re.search(r"`(operations/\w+/)`", row)
        if package:
            names |= {package[1] + module for module in re.findall(r"`(\w+\.py)`", row)}
    return names


def test_every_module_the_map_names_exists():
    missing = sorted(name for name in named_modules() if not (ROOT / name).exists())
    assert not missing


def test_every_module_of_the_app_is_on_the_map():
    named = named_modules()
    modules = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if path.name in NOT_MAPPED or NOT_WALKED & set(relative.parts):
            continue
        modules.append(relative.as_posix())
    assert modules
    assert sorted(module for module in modules if module not in named) == []
