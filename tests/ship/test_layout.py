"""The house rules that keep the code walkable: small modules, short functions.

A module over 400 lines or a function over 60 lines fails here, except the few named below whose
length is a data table (the gateway signatures, the explanations), where splitting would only
scatter one list over several files. The import rules (handlers never imports bot; layers;
commands independent) are import-linter contracts in pyproject.toml, run by `.ci/run`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

#: Modules whose length is one data table, with the reason.
LONG_MODULES: dict[str, str] = {
    "handlers/gateways/catalog.py": "the table of gateway signatures, one per product wording",
}
#: Functions whose length is one data literal, with the reason.
LONG_FUNCTIONS: dict[str, str] = {}


def _sources() -> list[Path]:
    return sorted(p for base in ("handlers", "bot") for p in (ROOT / base).rglob("*.py"))


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            found.append((node.name, length))
    return found


def test_modules_stay_small() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    unexplained = {k: v for k, v in long.items() if k not in LONG_MODULES}
    assert not unexplained, f"modules over {MAX_MODULE_LINES} lines: {unexplained}"


def test_functions_stay_short() -> None:
    long = {
        f"{p.relative_to(ROOT)}::{name}": n
        for p in _sources()
        for name, n in _functions(p)
        if n > MAX_FUNCTION_LINES
    }
    unexplained = {k: v for k, v in long.items() if k not in LONG_FUNCTIONS}
    assert not unexplained, f"functions over {MAX_FUNCTION_LINES} lines: {unexplained}"


@pytest.mark.parametrize("allowed", sorted({**LONG_MODULES, **LONG_FUNCTIONS}))
def test_the_allow_list_names_only_what_exists(allowed: str) -> None:
    """An entry for a module or function that shrank or went away is removed, not kept."""
    path = ROOT / allowed.split("::")[0]
    assert path.exists()
    if "::" in allowed:
        name = allowed.split("::")[1]
        assert any(n == name and length > MAX_FUNCTION_LINES for n, length in _functions(path))
    else:
        assert len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES


def test_every_package_says_what_it_knows() -> None:
    """Each package's docstring is the map's legend: what it knows, in a sentence or two."""
    missing = [
        str(init.relative_to(ROOT))
        for base in ("handlers", "bot")
        for init in (ROOT / base).rglob("__init__.py")
        if not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    ]
    assert not missing, f"packages without a docstring: {missing}"
