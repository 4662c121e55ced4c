"""The core depends on nothing outside it: bot -> core <- storage."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "aiohttp",
    "sqlalchemy",
    "wechatpy",
    "apscheduler",
    "bot",
    "storage",
    "asyncpg",
    "aiosqlite",
    "psycopg",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_framework_or_outer_layer() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN)
        for p in (ROOT / "core").rglob("*.py")
        if _imports(p) & FORBIDDEN
    }
    assert offenders == {}


def test_only_planning_imports_ortools() -> None:
    solvers = (ROOT / "core" / "planning", ROOT / "bench" / "makespan")
    offenders = [
        str(p.relative_to(ROOT))
        for top in ("bot", "core", "storage", "bench")
        for p in (ROOT / top).rglob("*.py")
        if not any(p.is_relative_to(s) for s in solvers) and "ortools" in _imports(p)
    ]
    assert offenders == []


def test_the_product_needs_neither_numba_nor_bench() -> None:
    """numba is the [bench] extra: a plain install runs bot, core and storage without it."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & {"numba", "bench"})
        for top in ("bot", "core", "storage")
        for p in (ROOT / top).rglob("*.py")
        if _imports(p) & {"numba", "bench"}
    }
    assert offenders == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nimport aiohttp.web\n", encoding="utf-8")
    assert _imports(bad) & FORBIDDEN == {"sqlalchemy", "aiohttp"}
