"""LibreOffice as the tests' independent spreadsheet engine: open, recalculate, save a copy.

The ``recalculated`` fixture (shared through conftest) is a function that has LibreOffice
recalculate every formula of a workbook and save the result, so tests can compare a
workbook's figures with a real spreadsheet program's arithmetic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SKIP_VARIABLE = "APPRAISE_SKIP_LIBREOFFICE"
INSTALL_HINT = (
    "LibreOffice (soffice) is needed to evaluate the HCE workbook's formulas; `.ci/run` installs "
    "it (apt-get install -y --no-install-recommends libreoffice-calc-nogui). Set "
    f"{SKIP_VARIABLE}=1 to skip these tests on purpose."
)
# LibreOffice's default for Excel files is "never recalculate": a formula with a cached value
# keeps it. OOXMLRecalcMode 0 ("always") in the private profile makes every load recalculate,
# so the values read back are LibreOffice's own arithmetic, never something a writer stored.
RECALC_ALWAYS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

Convert = Callable[[Path], Path]


def find_soffice() -> str:
    """The LibreOffice binary; a failure (not a silent skip) when it is missing."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"LibreOffice not installed and {SKIP_VARIABLE}=1")
    pytest.fail(INSTALL_HINT)


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """A function that has LibreOffice open, recalculate and save a copy of a workbook."""
    soffice = find_soffice()
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")

    def convert(path: Path) -> Path:
        outdir = tmp_path_factory.mktemp("recalculated")
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(path),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        converted = outdir / path.name
        assert converted.is_file(), f"LibreOffice did not convert {path}:\n{result}"
        return converted

    return convert
