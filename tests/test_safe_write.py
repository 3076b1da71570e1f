"""Faults while writing, and runs racing to one output (issue 14, classes 1 and 2).

Every output goes through ``appraise.io.safe_write``; these tests meet the faults for real where
the machine allows it (a read-only or full file system mounted for the test, a file-size limit
set on a child process, a name over 255 bytes) and check the promise each time: exit 1, one line
naming the path and the cause, no traceback, and nothing left behind (no output, no temporary).
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from appraise.cli import app
from appraise.errors import InputError
from appraise.io import safe_write
from appraise.io.safe_write import OutputError, write_atomically

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = ROOT / "criteria" / "cp-2016.yaml"
SCORES = ROOT / "options" / "urgent-care.yaml"
runner = CliRunner()


def refused_with(args: list[str], expected: str) -> None:
    """The command exits 1 with one ``error:`` line that holds ``expected``, no traceback."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert expected in errors[0], result.stderr
    assert "Traceback" not in result.output


def _mount(folder: Path, options: str) -> bool:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A real tmpfs mounted on ``folder`` for one test. Needs root (CI runs as root)."""
    folder.mkdir()
    if not _mount(folder, options):
        pytest.skip("cannot mount a tmpfs here (needs root); the monkeypatched tests still run")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A real 16 KiB file system: a workbook does not fit."""
    yield from _tmpfs(tmp_path / "small", "size=16k")


@pytest.fixture
def read_only_disk(tmp_path) -> Iterator[Path]:
    """A real read-only file system (tmpfs mounted ro): even root cannot write there."""
    yield from _tmpfs(tmp_path / "ro", "size=1m,ro")


def test_a_read_only_file_system_is_one_line_and_nothing_left(read_only_disk):
    out = read_only_disk / "cwg.xlsx"
    refused_with(
        ["template", str(CRITERIA), "-o", str(out)],
        f"{out}: could not be written: the file system is read-only",
    )
    refused_with(
        ["examples", str(read_only_disk / "tour")],
        f"{read_only_disk / 'tour'}: could not be written: the file system is read-only",
    )
    assert list(read_only_disk.iterdir()) == []


def test_a_full_disk_is_one_line_and_nothing_left(small_disk):
    """The HCE workbook of the bundled urgent-care file is larger than 16 KiB (checked below by
    writing it elsewhere), so the write runs out of room part-way."""
    out = small_disk / "hce.xlsx"
    refused_with(
        ["export", str(SCORES), "-o", str(out), "--samples", "100"],
        f"{out}: could not be written: the disk is full",
    )
    refused_with(
        ["examples", str(small_disk / "tour")],
        f"{small_disk / 'tour'}: could not be written:",
    )
    assert list(small_disk.iterdir()) == []  # no output, no .part file, no half-copied folder
    done = subprocess.run(  # as a user runs it: nothing printed after the one line either
        [
            sys.executable,
            "-m",
            "appraise",
            "template",
            str(CRITERIA),
            "--scores",
            str(SCORES),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if not line.startswith("note: ")] == [
        f"error: {out}: could not be written: the disk is full"
    ]
    assert list(small_disk.iterdir()) == []


def test_the_workbook_is_larger_than_the_small_disk(tmp_path):
    """The premise of the full-disk test: the same export elsewhere is over 16 KiB."""
    out = tmp_path / "hce.xlsx"
    result = runner.invoke(app, ["export", str(SCORES), "-o", str(out), "--samples", "100"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 16 * 1024


def _limited(kib: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (kib * 1024, kib * 1024))


def test_a_file_size_limit_is_one_line_not_a_killed_process(tmp_path):
    """``ulimit -f 16``: without appraise ignoring SIGXFSZ, the kernel kills the process mid-write
    (exit -25, no word); with it, the write fails with EFBIG, which is reported."""
    out = tmp_path / "hce.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "appraise", "export", str(SCORES), "-o", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(16),
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 1, (done.returncode, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {out}: could not be written: the file would be larger than this system allows "
        "(a file-size limit, ulimit -f)"
    ], done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_name_over_255_bytes_is_one_line_and_one_under_still_writes(tmp_path):
    """Linux allows 255 bytes a name. A 250-byte name is legal: its temporary (named after it)
    must still fit, so only the first 100 bytes of the name go into the temporary's."""
    too_long = tmp_path / ("é" * 126 + ".xlsx")  # 252 + 5 = 257 bytes
    refused_with(
        ["template", str(CRITERIA), "-o", str(too_long)],
        "could not be written: the name is longer than the file system allows (255 bytes a name)",
    )
    long = tmp_path / ("b" * 245 + ".xlsx")  # 250 bytes
    result = runner.invoke(app, ["template", str(CRITERIA), "-o", str(long)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [long.name]


def test_a_missing_folder_a_device_and_a_folder_are_refused(tmp_path):
    refused_with(
        ["template", str(CRITERIA), "-o", str(tmp_path / "nowhere" / "x.xlsx")],
        "does not exist",
    )
    device = tmp_path / "full.xlsx"
    device.symlink_to("/dev/full")  # a real 'disk full' device, under an output's name
    refused_with(
        ["template", str(CRITERIA), "-o", str(device), "--force"],
        f"{device}: exists and is not a regular file; give a new file name",
    )
    folder = tmp_path / "looks.xlsx"
    folder.mkdir()
    refused_with(["template", str(CRITERIA), "-o", str(folder)], "is a folder")
    assert Path("/dev/full").exists()  # replacing a device would have removed it


def test_a_symlink_to_an_input_is_never_written_through(tmp_path):
    link = tmp_path / "out.xlsx"
    link.symlink_to(SCORES)
    before = SCORES.read_bytes()
    refused_with(
        ["export", str(SCORES), "-o", str(link), "--force"],
        "is an input file; appraise never writes over its inputs",
    )
    assert SCORES.read_bytes() == before


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "no permission to write there"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is used up"),
        (errno.EIO, "the disk reported an input/output error"),
    ],
)
def test_every_fault_of_the_file_system_names_the_path_and_cause(tmp_path, code, words):
    """Faults this machine cannot make for real as root (a folder without write permission) or
    at all (a quota): raised where the temporary is made, then where the file is written."""
    out = tmp_path / "x.xlsx"

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    for where in ("mkstemp", "write"):
        with pytest.MonkeyPatch.context() as patch:
            if where == "mkstemp":
                patch.setattr(safe_write.tempfile, "mkstemp", fail)
                write = Path.touch
            else:
                write = fail
            with pytest.raises(OutputError) as caught:
                write_atomically(out, write)
        assert str(caught.value) == f"{out}: could not be written: {words}"
        assert isinstance(caught.value, InputError)  # exit 1 at the CLI's one boundary
        assert list(tmp_path.iterdir()) == []


def _race(out: Path, barrier: Barrier, results: Queue[str], number: int) -> None:
    def write(path: Path) -> None:
        path.write_text(f"run {number}\n" * 1000)
        barrier.wait(timeout=30)  # every run has passed the existence check and written

    try:
        write_atomically(out, write)
    except OutputError as exc:
        results.put(str(exc))
    else:
        results.put(f"wrote {number}")


def test_runs_racing_to_one_new_output_never_replace_each_other(tmp_path):
    """Four runs check that the output does not exist, all before any of them names it (the
    barrier holds each until all have written): exactly one may name it; the others are refused,
    and the file is whole, one run's. With a check followed by os.replace, all four 'wrote'."""
    out = tmp_path / "x.txt"
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(4), context.Queue()
    runs = [context.Process(target=_race, args=(out, barrier, results, n)) for n in range(4)]
    for run in runs:
        run.start()
    said = sorted(results.get(timeout=60) for _ in runs)
    for run in runs:
        run.join(timeout=60)
    refused = f"{out}: already exists; use force=True to replace it"
    assert said[:3] == [refused] * 3, said
    assert said[3].startswith("wrote ")
    assert out.read_text() == f"run {said[3].split()[1]}\n" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_where_hard_links_are_not_supported_the_name_is_still_claimed_once(tmp_path, monkeypatch):
    """Some file systems (FAT, some network shares) refuse ``os.link``: the name is then claimed
    by creating it exclusively, so an existing file is still never replaced without force."""

    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(safe_write.os, "link", no_links)
    out = tmp_path / "x.txt"
    write_atomically(out, lambda p: p.write_text("first"))
    assert out.read_text() == "first"
    with pytest.raises(OutputError, match="already exists; use force=True"):
        write_atomically(out, lambda p: p.write_text("second"))
    assert out.read_text() == "first"
    write_atomically(out, lambda p: p.write_text("third"), force=True)
    assert out.read_text() == "third"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_four_export_commands_to_one_new_output_leave_one_whole_workbook(tmp_path):
    """The issue's case, as a user meets it: four `appraise export` processes at once, none with
    --force. However they interleave, one says Wrote and the others are refused (not replaced
    silently), and the workbook that stays opens."""
    out = tmp_path / "hce.xlsx"
    command = [sys.executable, "-m", "appraise", "export", str(SCORES), "-o", str(out)]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    finished = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert sorted(code for code, _ in finished) == [0, 1, 1, 1], finished
    for code, stderr in finished:
        if code == 1:
            assert f"error: {out}: already exists; use --force to replace it" in stderr
            assert "Traceback" not in stderr
    assert load_workbook(out).sheetnames[0] == "Summary"
    assert [p.name for p in tmp_path.iterdir()] == ["hce.xlsx"]
