"""Every `$ appraise ...` example in the READMEs runs, and prints what the README shows.

Each ```console block holds commands (`$ ...`) and the output under each; a line `...` marks
lines left out. A block's commands run in order, as written (shell globs and redirections
included), by this Python, at 80 columns, from the top of the repository as the READMEs say.
A file an example writes (`-o NAME`) goes to a temporary folder instead, and later commands in
the block that name it read it from there. Every command must succeed. Where output is shown,
it must match: the first lines exactly, each run of lines after a `...` in order further on,
and, when the README does not end with `...`, nothing more. Lines starting `note: ` or
`Wrote ` are what appraise prints on stderr, with the lines indented under a note that it
wrapped to (a README may show only some notes); the rest is stdout. Trailing spaces are ignored.
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
WRAPPED = " " * len("note: ")  # a note's lines after its first


def streams(lines: list[str]) -> tuple[list[str], list[str]]:
    """(stderr's lines, stdout's lines) of lines shown together: each note with its wrapped lines."""
    err: list[str] = []
    out: list[str] = []
    in_note = False
    for line in lines:
        in_note = line.startswith(STDERR) or (in_note and line.startswith(WRAPPED))
        (err if in_note else out).append(line)
    return err, out


Example = tuple[str, list[str]]  # a command, and the lines shown under it


def blocks() -> list[tuple[str, list[Example]]]:
    """(document, the block's examples in order), for every console block with a command."""
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
            lines = block.rstrip("\n").split("\n")
            starts = [i for i, line in enumerate(lines) if line.startswith("$ appraise ")]
            examples = []
            for n, i in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                examples.append((lines[i][2:], lines[i + 1 : end]))
            if examples:
                found.append((doc, examples))
    return found


BLOCKS = blocks()


def test_the_readmes_have_examples_to_check():
    assert sum(len(examples) for _, examples in BLOCKS) >= 15
    assert {doc for doc, _ in BLOCKS} == set(DOCS)


def _matches(got: list[str], shown: list[str]) -> str | None:
    """Why ``got`` does not read as ``shown`` (with its `...` gaps), or None."""
    runs: list[list[str]] = [[]]
    for line in shown:
        if line == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    if got[: len(runs[0])] != runs[0]:
        return "the first lines differ"
    at = len(runs[0])
    for run in runs[1:]:
        while run and got[at : at + len(run)] != run:
            at += 1
            if at > len(got):
                return f"not found in order: {run[0]!r}"
        at += len(run)
    if shown and shown[-1] != "..." and at != len(got):
        return f"more output than shown, from {got[at]!r}"
    return None


@pytest.mark.parametrize(
    ("doc", "examples"), BLOCKS, ids=[f"{doc}: {ex[0][0]}" for doc, ex in BLOCKS]
)
def test_a_block_of_examples_runs_and_prints_what_the_readme_shows(tmp_path, doc, examples):
    python = shlex.quote(sys.executable)
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    written: dict[str, str] = {}
    for command, shown in examples:
        line = command.replace("appraise ", f"{python} -m appraise ", 1)
        out_name = re.search(r" -o (\S+)", line)
        if out_name:
            written[out_name[1]] = str(tmp_path / out_name[1])
        for name, target in written.items():
            line = re.sub(rf"(?<=\s){re.escape(name)}(?=\s|$)", shlex.quote(target), line)
        done = subprocess.run(
            line, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{doc}: {command}\n{done.stderr}"

        def shown_as_in_readme(text: str) -> list[str]:
            text = text.replace(f"{tmp_path}{os.sep}", "")
            return [line.rstrip() for line in text.rstrip("\n").split("\n")]

        out = shown_as_in_readme(done.stdout)
        err = streams(shown_as_in_readme(done.stderr))[0]
        want_err, want_out = streams([x.rstrip() for x in shown])
        if want_out:
            problem = _matches(out, want_out)
            assert problem is None, f"{doc}: {command}: {problem}\n{done.stdout}"
        # The notes shown come in the order shown (a README may leave some out).
        printed = iter(err)
        assert all(line in printed for line in want_err), f"{doc}: {command}\n{done.stderr}"
