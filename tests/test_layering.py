"""The core never loads the CLI's libraries, and the CLI loads no heavy ones at start-up."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import appraise

# Every module but the command line and its renderer, found rather than listed, so a new core
# module is checked the day it lands.
SHELL = {"appraise.cli", "appraise.render", "appraise.__main__"}
CORE = [
    "appraise",
    *sorted(
        info.name
        for info in pkgutil.walk_packages(appraise.__path__, "appraise.")
        if info.name not in SHELL
    ),
]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_core_modules_do_not_load_typer_or_rich(module):
    loaded = loaded_after(f"import {module}")
    assert not {"typer", "rich", "click"} & loaded


def test_cli_alone_loads_no_numpy_pandas_or_openpyxl():
    loaded = loaded_after("import appraise.cli")
    assert not {"numpy", "pandas", "openpyxl", "pydantic", "yaml"} & loaded


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
