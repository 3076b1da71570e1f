"""Every closed list of choices, declared once: the files, the library and the command line.

``model`` validates files against these, the analyses take them as parameters, and the command
line offers them as its options' values (``appraise.cli.options``); ``get_args`` gives the
values in order. Light to import (the command line reads it before anything else loads).
"""

from __future__ import annotations

from typing import Literal, get_args

OptionStatus = Literal["viable", "long-listed", "shortlisted", "preferred", "rejected"]
"""An option's place in the register; ``rank --status`` ranks only some."""

Missing = Literal["error", "exclude", "baseline", "renormalise"]
"""What ranking does with a cell nobody scored."""

Aggregate = Literal["mean", "median"]
"""How a panel's scores for one cell are combined."""

Distribution = Literal["uniform", "family", "dirichlet"]
"""How SMAA draws weights."""

ScoreNoise = Literal["none", "scorers", "range"]
"""How SMAA varies scores."""

Analysis = Literal["thresholds", "within", "scores", "weight-sets", "leave-one-out", "smaa"]
"""The analyses ``sensitivity`` runs."""

Pooling = Literal["mean", "geometric", "median"]
"""How ``weigh`` combines the bodies' global weights."""

ChartKind = Literal["contributions", "sensitivity", "acceptability", "value", "combinations"]
"""The pictures ``chart`` draws."""

OPTION_STATUSES: tuple[OptionStatus, ...] = get_args(OptionStatus)
POOLINGS: tuple[Pooling, ...] = get_args(Pooling)
DISTRIBUTIONS: tuple[Distribution, ...] = get_args(Distribution)
SCORE_NOISES: tuple[ScoreNoise, ...] = get_args(ScoreNoise)
ANALYSES: tuple[Analysis, ...] = get_args(Analysis)
CHART_KINDS: tuple[ChartKind, ...] = get_args(ChartKind)
