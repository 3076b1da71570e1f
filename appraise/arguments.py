"""A library call's arguments checked as the command line checks its options.

Every check raises ``ParameterError`` naming the parameter (the command line names the option
that sets it), so a wrong argument is never read silently (``"no"`` as true, ``"max"`` as the
mean) nor met later as a TypeError deep inside an analysis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, TypeVar, get_args

from appraise.errors import ParameterError
from appraise.safe_text import cut

T = TypeVar("T")


def _shown(value: object) -> str:
    return cut(repr(value))


def choice(parameter: str, value: Any, declared: Any) -> Any:
    """``value`` if it is one of a ``Literal``'s values (``appraise.choices``)."""
    allowed = get_args(declared)
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ParameterError(parameter, f"expected one of {listed}, found {_shown(value)}")
    return value


def choices(parameter: str, values: Any, declared: Any) -> tuple[str, ...]:
    """A list of a ``Literal``'s values (a string alone is not a list of them)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ParameterError(parameter, f"expected a list of names, found {_shown(values)}")
    return tuple(choice(parameter, v, declared) for v in values)


def flag(parameter: str, value: Any) -> bool:
    """``True`` or ``False`` only ("no" would read as true)."""
    if not isinstance(value, bool):
        raise ParameterError(parameter, f"expected True or False, found {_shown(value)}")
    return value


def whole(parameter: str, value: Any, lowest: int, highest: int) -> int:
    """A whole number from ``lowest`` to ``highest``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ParameterError(parameter, f"expected a whole number, found {_shown(value)}")
    given = int(value)
    if not lowest <= given <= highest:
        raise ParameterError(parameter, f"expected {lowest:,} to {highest:,}, found {given:,}")
    return given


def number(parameter: str, value: Any, lowest: float, highest: float) -> float:
    """A finite number from ``lowest`` to ``highest``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ParameterError(parameter, f"expected a finite number, found {_shown(value)}")
    given = float(value)
    if not lowest <= given <= highest:
        raise ParameterError(parameter, f"expected {lowest:g} to {highest:g}, found {given:g}")
    return given


def some(parameter: str, values: Sequence[T]) -> Sequence[T]:
    """A list that is not empty."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise ParameterError(parameter, f"expected at least one, found {_shown(values)}")
    return values
