"""The house stays standing: imports point one way, and no room or function outgrows a reader.

The rules (README, "Layout"): the command line and the leadership page (app) use model,
solvers and reports; solvers use model; reports read result folders and, of the model, only
the metric catalogue and the typed levers; the engine of one replication knows nothing of
experiments, solvers or reports; the schema (model/scenario.py and its parts) and the
catalogues depend on nothing else of ours; nothing imports the command module.  Imports
inside functions count as much as those at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("model", "solvers", "reports", "app", "bench")
OURS = ("model", "solvers", "reports", "run_scenario", "app", "bench", "tests")
SCHEMA = ("model.scenario", "model.schema_base", "model.calibration_schema",
          "model.optimise_schema")
MAX_FILE_LINES = 750
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    paths = [ROOT / "run_scenario.py"]
    for package in PACKAGES:
        paths += sorted((ROOT / package).rglob("*.py"))
    return paths


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module of ours that ``path`` imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        yield from (name for name in names if name.split(".")[0] in OURS)


def _allowed(module: str, imported: str) -> bool:
    """Whether ``module`` may import ``imported`` (both dotted names of ours)."""
    top = imported.split(".")[0]
    if top == "run_scenario":
        return False
    if module.startswith(("model.metrics", "model.levers", "model.tables")):
        return False  # the catalogues stand alone
    if module.startswith(SCHEMA):
        return imported.startswith(SCHEMA)  # the schema's parts use only each other
    if module.startswith("model.engine"):
        return imported.startswith(("model.engine", "model.metrics", *SCHEMA))
    if module.startswith("model"):
        return top == "model"
    if module.startswith("solvers"):
        return top in ("model", "solvers")
    if module.startswith("reports"):
        return top == "reports" or imported.startswith(("model.metrics", "model.levers",
                                                         "model.tables"))
    return top != "tests"  # the command line and the benchmark use every package


MODULES = _modules()


@pytest.mark.parametrize("path", MODULES, ids=[_name(path) for path in MODULES])
def test_imports_point_one_way(path: Path) -> None:
    """Each module imports only what its room may use."""
    module = _name(path)
    wrong = sorted({name for name in _imports(path) if not _allowed(module, name)})
    assert not wrong, f"{module} must not import {', '.join(wrong)}"


def test_the_import_rules_can_fail() -> None:
    """The rules above are not vacuous: a few imports the house forbids are refused."""
    assert not _allowed("model.engine.processes", "model.experiments.replications")
    assert not _allowed("reports.run_report", "model.scenario")
    assert not _allowed("reports.run_report", "solvers.plan")
    assert not _allowed("solvers.loop", "reports.run_folder")
    assert not _allowed("model.metrics", "model.scenario")
    assert not _allowed("model.scenario", "model.loading")
    assert _allowed("model.scenario", "model.schema_base")
    assert not _allowed("bench.figures", "run_scenario")
    assert not _allowed("app.callbacks", "run_scenario")  # the page is a second face
    assert not _allowed("reports.pages", "app.views")
    assert _allowed("app.runner", "model.experiments.replications")
    assert _allowed("run_scenario", "solvers.loop")


def test_nothing_imports_the_command_module() -> None:
    """Tests and every package reach the command line only through a subprocess."""
    importers = [_name(path) for path in [*MODULES, *sorted((ROOT / "tests").rglob("*.py"))]
                 if any(name.split(".")[0] == "run_scenario" for name in _imports(path))]
    assert importers == []


@pytest.mark.parametrize("path", MODULES, ids=[_name(path) for path in MODULES])
def test_no_room_or_function_outgrows_a_reader(path: Path) -> None:
    """No file over 750 lines; no function over 80 lines, its docstring not counted."""
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_FILE_LINES, f"{_name(path)} is over {MAX_FILE_LINES}"
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            docstring = node.body[0] if node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(getattr(node.body[0], "value", None), ast.Constant) else None
            if docstring is not None:
                lines -= docstring.end_lineno - docstring.lineno + 1  # type: ignore[operator]
            if lines > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({lines} lines)")
    assert not long, f"{_name(path)}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"
