"""The data flow is one-way: a layer may import only the layers before it."""

from __future__ import annotations

import ast
from pathlib import Path

from synthsoc import LAYERS

SRC = Path(__file__).resolve().parents[1] / "src" / "synthsoc"


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "synthsoc" and len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
    return found


def test_no_layer_imports_a_later_layer() -> None:
    violations = []
    for rank, layer in enumerate(LAYERS):
        allowed = set(LAYERS[: rank + 1])
        for path in sorted((SRC / layer).rglob("*.py")):
            bad = _imported_layers(path) - allowed
            if bad:
                violations.append(f"{path.relative_to(SRC)} imports later layer(s) {sorted(bad)}")
    assert violations == []


def test_every_layer_is_a_package() -> None:
    for layer in LAYERS:
        assert (SRC / layer / "__init__.py").is_file(), layer
