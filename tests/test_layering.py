"""The core never loads the CLI's libraries, and the CLI loads no heavy ones at start-up."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import appraise

# Every module but the command line and its terminal tables, found rather than listed, so a new
# core module is checked the day it lands.
ALL = sorted(i.name for i in pkgutil.walk_packages(appraise.__path__, "appraise."))
SHELL_PACKAGES = ("appraise.cli", "appraise.present.terminal", "appraise.tui")


def in_shell(module: str) -> bool:
    return module in ("appraise.__main__", "appraise.launch") or module.startswith(SHELL_PACKAGES)


CORE = ["appraise", *(m for m in ALL if not in_shell(m))]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_core_modules_do_not_load_typer_or_rich(module):
    loaded = loaded_after(f"import {module}")
    assert not {"typer", "rich", "click", "textual"} & loaded


def test_cli_alone_loads_no_numpy_pandas_or_openpyxl():
    loaded = loaded_after("import appraise.cli")
    assert not {"numpy", "pandas", "openpyxl", "pydantic", "yaml", "textual"} & loaded


def test_help_does_not_load_the_core():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from appraise.cli import app\n"
        "result = CliRunner().invoke(app, ['rank', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert not {"numpy", "pandas", "openpyxl"} & set(result.stdout.split())


def test_the_terminal_views_load_when_first_used():
    """``present.terminal`` names every view, each imported on first use: the sensitivity
    tables load neither the value nor the explain analysis."""
    loaded = loaded_after("from appraise.present import terminal; terminal.sensitivity_view")
    assert "appraise.present.terminal.sensitivity" in loaded
    assert not {"appraise.analysis.value", "appraise.analysis.explain"} & loaded
    from appraise.present import terminal

    assert all(
        callable(getattr(terminal, name)) or name == "TABLE_ROWS" for name in terminal.__all__
    )
    with pytest.raises(AttributeError, match="no attribute 'missing_view'"):
        terminal.missing_view  # noqa: B018


# --- the import graph, read from the source (imports inside functions included) -------------

MODULES = {"appraise", *ALL}


def _imports(module: str) -> set[str]:
    """The appraise modules ``module`` imports anywhere (not under ``if TYPE_CHECKING``)."""
    import ast
    import importlib.util

    origin = importlib.util.find_spec(module).origin
    tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    package = module if origin.endswith("__init__.py") else module.rsplit(".", 1)[0]
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found |= {
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            }
    return {name for name in found if name in MODULES and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while not group or w != v:
                w = stack.pop()
                group.add(w)
            if len(group) > 1:
                found.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    """Issue 15: the layers hold with no cycle, imports inside functions counted."""
    graph = {module: _imports(module) for module in MODULES}
    assert _cycles(graph) == []


# The layers, bottom up: a module may import its own layer and those below, never one above.
# ``api`` (the library's front door) may use any but the shell; the shell any.
LAYERS = [
    # "" is the package itself: its __init__ imports nothing until a name is asked for
    (
        "data",
        (
            "",
            "errors",
            "safe_text",
            "choices",
            "limits",
            "model",
            "notes",
            "data",
            "weights",
            "kernel",
            "validate",
            "bundled",
        ),
    ),
    ("io", ("io",)),
    ("analysis", ("analysis",)),
    ("present", ("present",)),
    ("api", ("api",)),
    ("shell", ("cli", "present.terminal", "tui", "__main__", "launch")),
]


def layer_of(module: str) -> int:
    name = module.removeprefix("appraise").removeprefix(".")
    found = 0
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or (prefix and name.startswith(prefix + ".")):
                found = max(found, index)
    return found


# Allowed exceptions to "never above", each a deliberate edge: analyses and presentation may
# read inputs and write files through io (io is below neither in spirit), so io is not above
# them; io itself reads nothing from analysis or presentation.
BELOW = {
    "io": {"data"},
    "analysis": {"data"},
    "present": {"data", "io", "analysis"},
}


def test_each_layer_imports_only_the_layers_below_it():
    """Issue 15: data at the bottom; io and the analyses on it, beside each other; presentation
    on those; the library's calls on all of them; the command line and terminal tables on top."""
    wrong = []
    for module in sorted(MODULES):
        mine = LAYERS[layer_of(module)][0]
        for imported in _imports(module):
            theirs = LAYERS[layer_of(imported)][0]
            allowed = BELOW.get(mine)
            if allowed is not None:
                ok = theirs == mine or theirs in allowed
            else:
                ok = layer_of(imported) <= layer_of(module)
            if not ok:
                wrong.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert wrong == []


def test_the_layers_are_read_as_meant():
    assert LAYERS[layer_of("appraise.io.xlsx_read")][0] == "io"
    assert LAYERS[layer_of("appraise.present.terminal.ranking")][0] == "shell"
    assert LAYERS[layer_of("appraise.present.workbook.totals")][0] == "present"
    assert LAYERS[layer_of("appraise")][0] == "data"
    assert LAYERS[layer_of("appraise.api")][0] == "api"
    assert LAYERS[layer_of("appraise.validate")][0] == "data"


def test_the_cycle_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_the_cycle_finder_finds_a_loop_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_module_imports_another_modules_private_name():
    """Issue 15: a name shared between modules is public (no leading underscore)."""
    import ast

    found = []
    for module in sorted(MODULES):
        import importlib.util

        origin = importlib.util.find_spec(module).origin
        for node in ast.walk(ast.parse(Path(origin).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("appraise"):
                found += [
                    f"{module}: {a.name} from {node.module}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert found == []


@pytest.mark.parametrize(
    ("command", "option", "declared"),
    [
        ("rank", "--missing", "Missing"),
        ("rank", "--aggregate", "Aggregate"),
        ("rank", "--status", "OptionStatus"),
        ("sensitivity", "--distribution", "Distribution"),
        ("sensitivity", "--score-noise", "ScoreNoise"),
        ("sensitivity", "--only", "Analysis"),
        ("combine", "--distribution", "Distribution"),
    ],
)
def test_the_command_line_offers_each_choice_list_as_declared(command, option, declared):
    """Issue 15: choice lists are declared once (``appraise.choices``); an option refusing a
    value lists exactly those choices, in order."""
    import re
    from typing import get_args

    from typer.testing import CliRunner

    from appraise import choices
    from appraise.cli import app

    result = CliRunner().invoke(app, [command, option, "nonesuch"])
    assert result.exit_code == 2
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    listed = text.split("is not one of", 1)[1].split(".")[0]
    assert tuple(re.findall(r"'([^']+)'", listed)) == get_args(getattr(choices, declared))
