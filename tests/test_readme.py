"""Every `$ appraise ...` example in the READMEs prints what the README shows.

Each ```console block holds commands (`$ ...`) and the output under each, cut short with a
line `...` where the README shows only the start. The command is run as written (shell globs
and redirections included) by this Python, at 100 columns, from the top of the repository as
the READMEs say; an example that writes a file (`-o NAME`) writes it to a temporary folder
instead. Lines starting `note: ` or `Wrote ` are what appraise prints on stderr (a README may show
only some of them); the rest is stdout. Trailing spaces are ignored.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "examples/README.md"]
STDERR = ("note: ", "Wrote ")


def examples() -> list[tuple[str, str, list[str]]]:
    """(document, command, the lines shown under it, `...` marking lines left out)."""
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
            lines = block.rstrip("\n").split("\n")
            starts = [i for i, line in enumerate(lines) if line.startswith("$ appraise ")]
            for n, i in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                found.append((doc, lines[i][2:], lines[i + 1 : end]))
    return found


EXAMPLES = examples()


def test_the_readmes_have_examples_to_check():
    assert len(EXAMPLES) >= 12
    assert {doc for doc, _, _ in EXAMPLES} == set(DOCS)


@pytest.mark.parametrize(
    ("doc", "command", "shown"), EXAMPLES, ids=[f"{d}: {c}" for d, c, _ in EXAMPLES]
)
def test_an_example_prints_what_the_readme_shows(tmp_path, doc, command, shown):
    python = shlex.quote(sys.executable)
    line = command.replace("appraise ", f"{python} -m appraise ", 1)
    written = re.search(r" -o (\S+)", line)
    if written:
        target = str(tmp_path / written[1])
        line = line.replace(written[0], f" -o {shlex.quote(target)}")
        shown = [text.replace(f"Wrote {written[1]}", f"Wrote {target}") for text in shown]
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        line, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    out = [text.rstrip() for text in done.stdout.split("\n")]
    err = [text.rstrip() for text in done.stderr.split("\n") if text.startswith(STDERR)]
    want_out = [text.rstrip() for text in shown if not text.startswith(STDERR)]
    want_err = [text.rstrip() for text in shown if text.startswith(STDERR)]
    # The output starts with the first run of lines shown; each run after a `...` follows.
    runs = "\n".join(want_out).split("\n...") if want_out else []
    first = runs[0].split("\n") if runs and runs[0] != "..." else []
    assert out[: len(first)] == first, f"{doc}: {command}\n{done.stdout}"
    rest = "\n".join(out)
    for run in runs[1:]:
        at = rest.find(run.strip("\n"))
        assert at >= 0, f"{doc}: {command}: not found in order:\n{run}\n--- output:\n{done.stdout}"
        rest = rest[at + len(run.strip("\n")) :]
    # The notes shown come in the order shown (a README may leave some out).
    places = [err.index(text) if text in err else -1 for text in want_err]
    assert -1 not in places, f"{doc}: {command}\n{done.stderr}"
    assert places == sorted(places), f"{doc}: {command}\n{done.stderr}"
