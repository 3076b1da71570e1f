"""Debian's Chromium, headless, as a reader of the board brief would open it.

``render`` loads a page from a file and returns the DOM after rendering, what the page logged
to its console, and a screenshot; the screenshot is also kept under ``test-artifacts/`` (not in
git) for a person to look at. Missing Chromium fails the test, unless skipped on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_VARIABLE = "APPRAISE_SKIP_BROWSER"
INSTALL_HINT = (
    "Chromium is needed to render the board brief as a reader sees it; `.ci/run` installs it "
    "(apt-get install -y --no-install-recommends chromium). Set "
    f"{SKIP_VARIABLE}=1 to skip these tests on purpose."
)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# As the machine's own check starts it (as root, on a closed network): no sandbox, no GPU, no
# background connections, a new empty profile.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """The Chromium binary; a failure (not a silent skip) when it is missing."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"Chromium not installed and {SKIP_VARIABLE}=1")
    pytest.fail(INSTALL_HINT)


@dataclass(frozen=True)
class Rendered:
    """What Chromium made of a page."""

    dom: str
    console: list[str]  # the page's console messages (errors among them)
    screenshot: Path


def render(page: Path, profile: Path, name: str) -> Rendered:
    """Load ``page`` in headless Chromium: its DOM, console and a screenshot (A4 width)."""
    binary = find_chromium()
    url = page.resolve().as_uri()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    common = [binary, *FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    logged = subprocess.run(
        [
            *common,
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1240,1754",
            f"--screenshot={shot}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert logged.returncode == 0, logged.stderr[-2000:]
    console = [line for line in logged.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(dom.stdout, console, shot)
