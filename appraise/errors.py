"""One error family: everything the user can fix in their input is an ``AppraiseError``."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

# --- naming a setting in a message: the library's parameter, or the command line's option ---

_COMMAND_LINE: ContextVar[bool] = ContextVar("appraise_command_line", default=False)

# The command-line option that sets a library parameter, where their names differ.
FLAG_FOR = {
    "weight_set": "weights",
    "out": "output",
    "k": "top",
    "limits": "limit",
    "group_weights": "group_weight",
    "statuses": "status",
    "weights_given": "weight",
}


def setting(parameter: str, value: object = True) -> str:
    """A setting as a message names it, in the words of whoever called.

    To a library caller, the parameter: ``missing='baseline'``, ``normalise=True``. On the
    command line (inside ``command_line_words``), its option: ``--missing baseline``,
    ``--normalise``, ``--no-sensitivity``. ``value`` None names the setting alone.
    """
    if not _COMMAND_LINE.get():
        return parameter if value is None else f"{parameter}={value!r}"
    flag = "--" + FLAG_FOR.get(parameter, parameter).replace("_", "-")
    if value is True or value is None:
        return flag
    if value is False:
        return "--no-" + flag[2:]
    return f"{flag} {value}"


@contextmanager
def command_line_words() -> Iterator[None]:
    """Within this, ``setting`` names options as the command line spells them."""
    token = _COMMAND_LINE.set(True)
    try:
        yield
    finally:
        _COMMAND_LINE.reset(token)


@dataclass(frozen=True)
class Problem:
    """One finding about one place in one input file."""

    path: str
    where: str
    message: str
    severity: Severity = "error"
    topic: str = ""
    """What a warning is counted under when a run's notes are summarised (``appraise.notes``)."""

    def __str__(self) -> str:
        place = f"{self.path}: {self.where}" if self.where else self.path
        return f"{place}: {self.message}"


class AppraiseError(Exception):
    """Base of every error the user can act on; the CLI turns it into exit code 1.

    A ``ParameterError`` (a wrong value for an option, not a wrong file) becomes exit code 2.
    """

    def lines(self) -> list[str]:
        """The message, one finding per line."""
        return [str(self)]


class InputError(AppraiseError):
    """A single problem in an input file, naming the file and where in it."""

    def __init__(self, path: str | Path, where: str, message: str) -> None:
        self.problem = Problem(str(path), where, message)
        super().__init__(str(self.problem))


class Refused(InputError):
    """A file refused as a whole (over a limit, not a saved file): no other problem to list.

    A command meeting one does not read the file again to count its other problems, as it does
    for a file that merely has mistakes: the point of a limit is to stop work early.
    """


class ParameterError(AppraiseError):
    """A value given for a parameter is wrong (not an input file): the CLI's exit code 2.

    ``parameter`` names the library parameter (``weight_set``, ``out``, ``seed``); the command
    line names the option that sets it.
    """

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


class Problems(AppraiseError):
    """Several problems found at once, so a user can fix them all in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = str(errors[0]) if errors else "no problems"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the run."""
        return [p for p in self.problems if p.severity == "error"]

    def lines(self) -> list[str]:
        """The first error, and how many more there are and where to see them all.

        A command stops at a bad file; ``check`` is the one that lists every problem (the same
        count), so the rest are counted here rather than scrolling the command's output away.
        """
        errors = self.errors
        if len(errors) <= 1:
            return [str(p) for p in errors]
        files = " ".join(shlex.quote(f) for f in dict.fromkeys(p.path for p in errors if p.path))
        more = len(errors) - 1
        return [
            str(errors[0]),
            f"... and {more} more problem{'s' if more > 1 else ''}: run "
            f"`appraise check {files or 'FILE'}` to list them all",
        ]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise ``Problems`` when any problem in the list is an error."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise Problems(problems)
