"""The library's front door: one call per thing ``appraise`` does, each command its client.

Every function takes its policy once, as keyword arguments named as the command line's options
are (``weights``, ``missing``, ``samples``...), and raises ``InputError`` (a file's problem,
naming file and place) or ``ParameterError`` (a wrong argument, naming the parameter)::

    import appraise

    sheet = appraise.load_scores("options/urgent-care.yaml")
    ranking = appraise.rank(sheet, weights="clinical", aggregate="median")
    robust = appraise.sensitivity(ranking, samples=20_000, seed=7)

A scores file is loaded once and can be ranked under several policies: ``load_scores`` checks
the file and its criteria; ``rank`` applies the missing-score policy, the aggregate and the
weight set (so a gap is an error only if ``rank`` is asked for ``missing="error"``, as by
default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.choices import Aggregate, Missing
from appraise.errors import ParameterError
from appraise.model import Settings
from appraise.safe_text import cut

if TYPE_CHECKING:
    from appraise.analysis.combine.run import CombineResult
    from appraise.analysis.diff import Diff
    from appraise.analysis.elicitation import Elicited
    from appraise.analysis.explain import Explanation
    from appraise.analysis.scoring import Ranking
    from appraise.analysis.sensitivity import Sensitivity, SmaaOptions
    from appraise.analysis.value import Value
    from appraise.analysis.whatif import WhatIf
    from appraise.data import CriteriaTree, ScoreSheet
    from appraise.io import CheckResult
    from appraise.io.merge import Panel
    from appraise.model import Rule
    from appraise.present.workbook import SheetSection

LOADING = Settings(missing="exclude")
"""How files are read when the policy is left to ``rank``: a gap is kept, not refused."""


def load_criteria(source: str | Path, *, normalise: bool = False) -> CriteriaTree:
    """A criteria file (YAML or JSON) or a bundled name (``cp-2016``), checked.

    ``normalise`` rescales each family of weights to sum to 100 (else a family that does not
    is an error).
    """
    from appraise.io import load_criteria as load
    from appraise.io.files import resolve_criteria_path

    return load(resolve_criteria_path(str(source)), normalise)


def load_scores(
    source: str | Path,
    criteria: CriteriaTree | str | Path | None = None,
    *,
    normalise: bool = False,
) -> ScoreSheet:
    """A scores file (YAML, JSON or a scoring workbook) or a bundled name, checked.

    ``criteria`` (a file or bundled name) replaces the criteria the file names. Gaps are kept
    for ``rank`` to treat as its ``missing`` says.
    """
    from appraise.data import CriteriaTree
    from appraise.io import load_scores as load

    _a_file("source", source)
    settings = Settings(normalise=normalise, missing=LOADING.missing)
    if criteria is None:
        return load(source, settings)
    if isinstance(criteria, CriteriaTree):  # a tree already loaded, as scores_from_data takes
        return _with_criteria(criteria, source, settings)
    _a_file("criteria", criteria)
    return _with_criteria(load_criteria(criteria, normalise=normalise), source, settings)


def scores_from_data(
    data: Mapping[str, Any],
    criteria: CriteriaTree | str | Path,
    *,
    normalise: bool = False,
) -> ScoreSheet:
    """Scores given as Python data (a mapping as a scores file holds), checked as a file is.

    ``criteria`` is a tree from ``load_criteria``, or a criteria file or bundled name; the
    data's own ``criteria`` key, if any, is not read. Problems are located by YAML path
    (``options[0].scores.safety``) in ``<data>``.
    """
    from appraise.io.parsing import parse
    from appraise.model import ScoresFile
    from appraise.validate import build_sheet

    if not isinstance(data, Mapping):
        raise ParameterError("data", f"expected a mapping, found a {type(data).__name__}")
    tree = criteria if not isinstance(criteria, (str, Path)) else load_criteria(criteria)
    data = {**data, "criteria": data.get("criteria", tree.path)}
    spec = parse(Path("<data>"), ScoresFile, "scores", data)
    return build_sheet(spec, "<data>", tree, Settings(normalise=normalise, missing="exclude"))


def _a_file(parameter: str, value: object) -> None:
    """A file's path or a bundled name, as a parameter must be."""
    if not isinstance(value, (str, Path)):
        what = type(value).__name__
        raise ParameterError(parameter, f"expected a file or a bundled name, found a {what}")


def _with_criteria(tree: CriteriaTree, source: str | Path, settings: Settings) -> ScoreSheet:
    from appraise.errors import raise_if_errors
    from appraise.io.files import resolve_scores_path
    from appraise.io.parsing import parse, read_data
    from appraise.model import ScoresFile
    from appraise.validate import build_sheet

    path = resolve_scores_path(source)
    data, locate = read_data(path, "scores")
    raise_if_errors(getattr(locate, "problems", ()))  # a workbook's, found while reading
    spec = parse(path, ScoresFile, "scores", data, locate)
    sheet = build_sheet(spec, str(path), tree, settings, locate)
    return replace(sheet, source=path)


def rank(
    sheet: ScoreSheet,
    settings: Settings | None = None,
    *,
    weights: str | None = None,
    missing: Missing | None = None,
    aggregate: Aggregate | None = None,
    exclude_conflicted: bool | None = None,
    statuses: Sequence[str] | None = None,
    weights_given: Mapping[str, float] | None = None,
) -> Ranking:
    """Weighted totals, contributions per criterion and ranks (ties shared) for one sheet.

    The policy is ``settings``, or the keywords (``weights``: a weight set's name;
    ``missing``: ``"error"``, ``"exclude"``, ``"baseline"`` or ``"renormalise"``;
    ``aggregate``: ``"mean"`` or ``"median"`` over scorers; ``weights_given``: one-off weights
    in points by criterion id, over the weight set). Each option carries ``id``,
    ``name``, ``rank``, ``total`` and ``contributions``.
    """
    from appraise.analysis.scoring import rank as rank_sheet

    return rank_sheet(
        sheet,
        _settings(
            settings, weights, missing, aggregate, exclude_conflicted, statuses, weights_given
        ),
    )


def _settings(
    settings: Settings | None,
    weights: str | None,
    missing: Missing | None,
    aggregate: Aggregate | None,
    exclude_conflicted: bool | None = None,
    statuses: Sequence[str] | None = None,
    weights_given: Mapping[str, float] | None = None,
) -> Settings:
    from appraise import arguments as check
    from appraise.choices import Aggregate as Aggregates
    from appraise.choices import Missing as Policies
    from appraise.choices import OptionStatus

    if weights is not None and not isinstance(weights, str):
        raise ParameterError("weights", "expected the name of a weight set")
    missing = None if missing is None else check.choice("missing", missing, Policies)
    aggregate = None if aggregate is None else check.choice("aggregate", aggregate, Aggregates)
    if exclude_conflicted is not None:
        check.flag("exclude_conflicted", exclude_conflicted)
    if statuses is not None:
        statuses = check.choices("statuses", statuses, OptionStatus)
    base = settings or Settings()
    return replace(
        base,
        weight_set=base.weight_set if weights is None else weights,
        missing=base.missing if missing is None else missing,
        aggregate=base.aggregate if aggregate is None else aggregate,
        exclude_conflicted=(
            base.exclude_conflicted if exclude_conflicted is None else exclude_conflicted
        ),
        statuses=base.statuses if statuses is None else tuple(statuses),
        weights_given=base.weights_given if weights_given is None else _points(weights_given),
    )


def _points(weights_given: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    from appraise import arguments as check
    from appraise.limits import MAX_WEIGHT_POINTS

    if not isinstance(weights_given, Mapping):
        raise ParameterError("weights_given", "expected a mapping of criterion id to points")
    return tuple(
        (str(node), check.number("weights_given", points, 0.0, MAX_WEIGHT_POINTS))
        for node, points in weights_given.items()
    )


def _ranked(sheet_or_ranking: ScoreSheet | Ranking) -> Ranking:
    from appraise.analysis.scoring import Ranking

    return sheet_or_ranking if isinstance(sheet_or_ranking, Ranking) else rank(sheet_or_ranking)


def explain(
    sheet_or_ranking: ScoreSheet | Ranking, option: str, *, against: str | None = None
) -> Explanation:
    """One option's total by sub-criterion, and its gap to ``against`` by criterion.

    ``against`` is by default the leader (the runner-up when ``option`` leads). Each leaf's part
    is its weight as used times its score; the parts add up to the total ``rank`` gives.
    """
    from appraise.analysis.explain import explain as run

    if not isinstance(option, str):
        raise ParameterError("option", "expected an option id")
    return run(_ranked(sheet_or_ranking), option, against)


def sensitivity(
    sheet_or_ranking: ScoreSheet | Ranking,
    *,
    samples: int = 10_000,
    seed: int = 1,
    distribution: str = "uniform",
    concentration: float = 100.0,
    score_noise: str = "none",
    top: int = 3,
    only: Sequence[str] | None = None,
    progress: Any = None,
) -> Sensitivity:
    """Every sensitivity analysis (or ``only`` those named) of one ranking.

    Thresholds (global and within each family), score thresholds, weight sets, leave-one-out
    and SMAA (``samples`` weightings drawn with ``seed``; ``distribution`` ``"uniform"``,
    ``"family"`` or ``"dirichlet"`` around the weights with ``concentration``). ``progress``,
    if given, is called with the samples and yields a callback (a progress bar).
    """
    from contextlib import nullcontext

    from appraise import arguments as check
    from appraise.analysis.sensitivity import analyse
    from appraise.choices import ANALYSES, Analysis

    what = list(check.choices("only", only, Analysis)) if only is not None else list(ANALYSES)
    check.whole("top", top, 1, 1_000_000)
    runs = samples if "smaa" in what else 0
    with progress(runs) if progress else nullcontext(None) as advance:
        return analyse(
            _ranked(sheet_or_ranking),
            what,
            top,
            _sampling(samples, seed, distribution, concentration, score_noise),
            advance,
        )


def _sampling(
    samples: int,
    seed: int,
    distribution: str,
    concentration: float,
    score_noise: str = "none",
    most: int | None = None,
) -> SmaaOptions:
    from appraise import arguments as check
    from appraise.analysis.sensitivity import SmaaOptions
    from appraise.analysis.smaa import MAX_SAMPLES
    from appraise.choices import Distribution, ScoreNoise
    from appraise.limits import MAX_SEED

    check.whole("samples", samples, 0 if most is not None else 1, most or MAX_SAMPLES)
    check.whole("seed", seed, 0, MAX_SEED)
    check.choice("distribution", distribution, Distribution)
    check.number("concentration", concentration, 0.001, 1e6)
    check.choice("score_noise", score_noise, ScoreNoise)

    return SmaaOptions(samples, seed, distribution, concentration, score_noise)  # type: ignore[arg-type]


def combine(
    sheets: Sequence[ScoreSheet | Ranking],
    rules: str | Path | Sequence[Rule] = (),
    *,
    top: int = 10,
    limits: Sequence[str] = (),
    group_weights: Mapping[str, float] | None = None,
    samples: int = 1_000,
    seed: int = 1,
    distribution: str = "uniform",
    concentration: float = 100.0,
    rescale: bool = False,
) -> CombineResult:
    """The best combinations of options across groups, one option per group.

    ``rules`` is a rules file or a list of ``Rule``; ``limits`` are caps or floors such as
    ``"net_capital<=300000"``. Groups on different scales raise ``MixedScales`` unless
    ``rescale`` puts each on 0-1 of its own scale. What checking a rules file noted (a rule
    that never binds) comes first in the result's ``notes``.
    """
    from appraise import arguments as check
    from appraise.analysis.combine import Limit
    from appraise.analysis.combine.run import combine as run
    from appraise.limits import MAX_COMBINE_SAMPLES

    rankings = [_ranked(s) for s in check.some("sheets", sheets)]
    check.whole("top", top, 1, 1_000_000)
    _sampling(samples, seed, distribution, concentration, most=MAX_COMBINE_SAMPLES)
    check.flag("rescale", rescale)
    for group, weight in (group_weights or {}).items():
        name = f"group_weights[{cut(str(group))!r}]"
        if check.number(name, weight, 0.0, 1e12) <= 0:  # as --group-weight: above 0
            raise ParameterError(name, f"expected above 0, found {weight:g}")
    rule_list, rule_notes = _rules(rules, rankings)
    result = run(
        rankings,
        rule_list,
        top,
        [Limit.parse(text) for text in limits],
        group_weights,
        samples,
        seed,
        distribution,
        concentration,
        rescale,
    )
    return replace(result, notes=(*rule_notes, *result.notes)) if rule_notes else result


def value(
    sheet_or_ranking: ScoreSheet | Ranking,
    *,
    cost: str | None = None,
    above_status_quo: bool = False,
    weight_sets: bool = True,
    samples: int = 10_000,
    seed: int = 1,
    distribution: str = "uniform",
    concentration: float = 100.0,
    score_noise: str = "none",
    progress: Any = None,
) -> Value:
    """Benefit (the total ``rank`` gives) against one cost figure: the efficient frontier.

    ``cost`` names the figure (``"capital"``; default the file's first). ``above_status_quo``
    takes the status quo's total off every benefit. The frontier is also found under each named
    weight set (``weight_sets``) and over ``samples`` SMAA weight draws (0: none), drawn as
    ``sensitivity`` draws them, so the same ``seed`` gives the same draws.
    """
    from contextlib import nullcontext

    from appraise import arguments as check
    from appraise.analysis.smaa import MAX_SAMPLES
    from appraise.analysis.value import value as run

    if cost is not None and not isinstance(cost, str):
        raise ParameterError("cost", "expected the name of a cost figure, such as 'capital'")
    check.flag("above_status_quo", above_status_quo)
    check.flag("weight_sets", weight_sets)
    sampling = _sampling(samples, seed, distribution, concentration, score_noise, most=MAX_SAMPLES)
    with progress(samples) if progress and samples else nullcontext(None) as advance:
        return run(
            _ranked(sheet_or_ranking),
            cost,
            above_status_quo=above_status_quo,
            weight_sets=weight_sets,
            sampling=sampling,
            progress=advance,
        )


def _rules(
    rules: str | Path | Sequence[Rule], rankings: Sequence[Ranking]
) -> tuple[list[Rule], list[str]]:
    """The rules, and what checking them against the groups noted (a rule that never binds)."""
    if isinstance(rules, (str, Path)):
        from appraise.io import load_rules_for

        return load_rules_for(Path(rules), [r.sheet for r in rankings])
    return list(rules), []


def diff(old: ScoreSheet | Ranking, new: ScoreSheet | Ranking) -> Diff:
    """What changed between two rounds of one group: options, scores, weights, the panel."""
    from appraise.analysis.diff import diff as compare

    return compare(_ranked(old), _ranked(new))


@dataclass(frozen=True)
class Exported:
    """A written workbook, and what its making noted (rules that never bind, say)."""

    path: Path
    notes: tuple[str, ...] = field(default=())


def export_workbook(
    path: str | Path,
    sheets: Sequence[ScoreSheet | Ranking],
    *,
    rules: str | Path | None = None,
    previous: str | Path | ScoreSheet | None = None,
    sensitivity: bool = True,
    samples: int = 10_000,
    seed: int = 1,
    rescale: bool = False,
    force: bool = False,
    command_line: str = "",
    progress: Any = None,
    writing: Any = None,
) -> Exported:
    """Write the HCE workbook (``.xlsx``), whole or not at all, never over an input.

    With ``rules``, a Combinations sheet; with ``previous`` (an earlier round of the one
    group), a Rounds sheet; with ``sensitivity``, a Sensitivity sheet per group (SMAA with
    ``samples`` and ``seed``, as the combinations' robustness). ``progress`` is a context
    manager factory given the samples, yielding a callback (the command line's progress bar);
    ``writing`` one given the workbook's estimated cells, whose callback is given about how
    many are written.
    """
    from contextlib import nullcontext

    from appraise import arguments
    from appraise.analysis.sensitivity import analyse
    from appraise.analysis.sensitivity import check_size as check_sensitivity_size
    from appraise.io.safe_write import require_suffix
    from appraise.present.workbook import check_size, estimated_cells, write_hce_workbook
    from appraise.validate import one_file_per_group

    arguments.some("sheets", sheets)
    out = Path(path)
    require_suffix(out, ".xlsx", "the HCE workbook")  # before the work, not after
    rankings = [_ranked(s) for s in sheets]
    one_file_per_group([r.sheet for r in rankings])  # before the simulations, not after
    check_size(rankings, sensitivity)
    if sensitivity:
        for ranking in rankings:
            check_sensitivity_size(ranking)
    sampling = _sampling(samples, seed, "uniform", 100.0)
    results = []
    if sensitivity:
        for ranking in rankings:
            with progress(samples) if progress else nullcontext(None) as advance:
                results.append(analyse(ranking, sampling=sampling, progress=advance))
    extra, inputs, notes = _extra_sheets(rankings, rules, previous, rescale, sampling)
    cells = estimated_cells(rankings, sensitivity)
    with writing(cells) if writing else nullcontext(None) as wrote:
        written = write_hce_workbook(
            rankings,
            out,
            force=force,
            command_line=command_line,
            inputs=inputs,
            extra_sections=extra,
            sensitivities=results,
            progress=wrote,
        )
    return Exported(written, tuple(notes))


def _extra_sheets(
    rankings: list[Ranking],
    rules: str | Path | None,
    previous: str | Path | ScoreSheet | None,
    rescale: bool,
    sampling: SmaaOptions,
) -> tuple[list[SheetSection], list[Path], list[str]]:
    """The Combinations and Rounds sheets asked for, the extra files they read, their notes.

    The combinations' simulation takes the export's samples and seed, as the groups' do.
    """
    from appraise.analysis.combine.run import combine as run
    from appraise.errors import ParameterError
    from appraise.io import load_rules_for
    from appraise.present.combine import combine_record
    from appraise.present.diff import diff_record
    from appraise.present.workbook import combinations_section, register_section, rounds_section

    sections, inputs, notes = [register_section()], [], []
    if rules is not None:
        rule_list, rule_notes = load_rules_for(Path(rules), [r.sheet for r in rankings])
        notes += rule_notes
        result = run(
            rankings, rule_list, samples=sampling.samples, seed=sampling.seed, rescale=rescale
        )
        sections.append(combinations_section(combine_record(result)))
        inputs.append(Path(rules))
    if previous is not None:
        if len(rankings) != 1:
            raise ParameterError("previous", "compares rounds of one group: give one scores file")
        settings = rankings[0].settings or Settings()
        earlier = (
            previous if not isinstance(previous, (str, Path)) else _load_as(previous, settings)
        )
        record = diff_record(diff(rank(earlier, settings), rankings[0]))
        sections.append(rounds_section(record))
        inputs.append(earlier.file)
    sections += _value_sheets(rankings, sampling)
    return sections, inputs, notes


def _value_sheets(rankings: list[Ranking], sampling: SmaaOptions) -> list[SheetSection]:
    """A Value sheet per group whose options give costs: a block per cost figure."""
    from appraise.analysis.value import cost_figures
    from appraise.analysis.value import value as run
    from appraise.present.value import value_record
    from appraise.present.workbook.context import group_titles
    from appraise.present.workbook.value import value_section

    costed = [r for r in rankings if cost_figures(r)]
    titles = group_titles("Value", [r.sheet.group for r in costed])
    return [
        value_section(
            title,
            [value_record(run(r, figure, sampling=sampling)) for figure in cost_figures(r)],
        )
        for title, r in zip(titles, costed, strict=True)
    ]


BRIEF_SUFFIXES = (".html", ".pdf")


def write_brief(
    path: str | Path,
    sheets: Sequence[ScoreSheet | Ranking],
    *,
    rules: str | Path | None = None,
    rescale: bool = False,
    samples: int = 10_000,
    seed: int = 1,
    title: str | None = None,
    force: bool = False,
    command_line: str = "",
    progress: Any = None,
) -> Path:
    """Write the board brief: a self-contained HTML page (``.html``) or its PDF (``.pdf``).

    Per group: the shortlist with contributions, the robustness sentences and charts, options
    set aside, dissent and declared interests, value for money where options give costs;
    across groups (with ``rules``), the preferred combination and the rules that shaped it;
    then the method and the inputs' SHA-256. The PDF needs WeasyPrint
    (``pip install 'appraise[pdf]'``); it is checked for before any work is done.
    """
    from contextlib import nullcontext

    from appraise import arguments as check
    from appraise.analysis.sensitivity import check_size
    from appraise.io.safe_write import write_atomically
    from appraise.present.brief import Brief, brief_html
    from appraise.present.workbook.context import digest_of, input_files
    from appraise.validate import one_file_per_group

    out = Path(path)
    check_brief_output(out, force)  # before the work, not after
    pdf = out.suffix.lower() == ".pdf"
    rankings = [_ranked(s) for s in check.some("sheets", sheets)]
    one_file_per_group([r.sheet for r in rankings])
    for ranking in rankings:
        check_size(ranking)
    sampling = _sampling(samples, seed, "uniform", 100.0)
    groups = []
    for index, ranking in enumerate(rankings):
        with progress(samples) if progress else nullcontext(None) as advance:
            groups.append(_group_brief(ranking, sampling, advance, index))
    combination: Any = None
    combination_charts: list[tuple[str, str]] = []
    extra: list[Path] = []
    if rules is not None:
        combination, combination_charts = _combination_brief(rankings, rules, sampling, rescale)
        extra.append(Path(rules))
    inputs = input_files(rankings, extra)
    brief = Brief(
        title=title or _brief_title(rankings),
        groups=groups,
        provenance=_provenance(inputs, digest_of(inputs), sampling, command_line),
        combination=combination,
        combination_charts=combination_charts,
    )
    text = brief_html(brief)

    def write(temporary: Path) -> None:
        if pdf:
            weasyprint = _weasyprint()
            weasyprint.HTML(string=text).write_pdf(temporary)
        else:
            temporary.write_text(text, encoding="utf-8")

    return write_atomically(out, write, [f.path for f in inputs], force)


def check_brief_output(out: Path, force: bool = False) -> None:
    """Refuse a brief's name other than .html or .pdf, a PDF without WeasyPrint, a file there.

    An existing file needs ``force``; the inputs are checked again when the brief is written.
    """
    from appraise.io.safe_write import check_output_path

    if out.suffix.lower() not in BRIEF_SUFFIXES:
        raise ParameterError("out", f"give a name ending in .html or .pdf, not '{out.name}'")
    if out.suffix.lower() == ".pdf":
        _weasyprint()
    check_output_path(out, (), force)


def _weasyprint() -> Any:
    """WeasyPrint, or a ParameterError saying how to install it."""
    try:
        import weasyprint
    except ImportError:
        raise ParameterError(
            "out",
            "a PDF brief needs WeasyPrint: pip install 'appraise[pdf]' (or write .html and "
            "print it to PDF from a browser)",
        ) from None
    except OSError as exc:  # the package is there, its system libraries (Pango) are not
        raise ParameterError(
            "out", f"WeasyPrint is installed but cannot start ({cut(str(exc))}); write .html"
        ) from None
    return weasyprint


def _brief_title(rankings: Sequence[Ranking]) -> str:
    if len(rankings) == 1:
        return f"Board brief: {rankings[0].sheet.spec.name}"
    return f"Board brief: {len(rankings)} working groups"


def _group_brief(ranking: Ranking, sampling: SmaaOptions, advance: Any, index: int) -> Any:
    from appraise.analysis.sensitivity import analyse
    from appraise.analysis.value import cost_figures
    from appraise.analysis.value import value as run_value
    from appraise.present.brief import GroupBrief
    from appraise.present.charts_brief import group_charts, value_charts
    from appraise.present.ranking import ranking_record
    from appraise.present.sensitivity import summary
    from appraise.present.value import value_record

    result = analyse(ranking, ["thresholds", "weight-sets", "smaa"], 3, sampling, advance)
    values = [run_value(ranking, f, sampling=sampling) for f in cost_figures(ranking)]
    tree = ranking.sheet.tree
    return GroupBrief(
        ranking=ranking_record(ranking),
        robustness=summary(result),
        values=[value_record(v) for v in values],
        charts=group_charts(result, f"g{index}"),
        value_charts=value_charts(values, f"g{index}"),
        criteria_names={c: tree.name(c) for c in (*tree.top_ids, *tree.leaf_ids)},
    )


def _combination_brief(
    rankings: Sequence[Ranking], rules: str | Path, sampling: SmaaOptions, rescale: bool
) -> tuple[Any, list[tuple[str, str]]]:
    from appraise.analysis.combine.run import combine as run
    from appraise.io import load_rules_for
    from appraise.present.charts_brief import combination_charts
    from appraise.present.combine import combine_record

    rule_list, _ = load_rules_for(Path(rules), [r.sheet for r in rankings])
    result = run(
        list(rankings), rule_list, samples=sampling.samples, seed=sampling.seed, rescale=rescale
    )
    return combine_record(result), combination_charts(result, rules)


def _provenance(inputs: Sequence[Any], digest: str, sampling: SmaaOptions, command: str) -> Any:
    from appraise.io.files import sha256_of
    from appraise.present.brief import Provenance

    files = [(f.role, f.name, sha256_of(f.path)) for f in inputs]
    return Provenance(files, digest, sampling.samples, sampling.seed, command)


def _load_as(source: str | Path, settings: Settings) -> ScoreSheet:
    from appraise.io import load_inputs

    (sheet,) = load_inputs([source], settings)
    return sheet


def make_template(
    path: str | Path,
    criteria: str | Path,
    *,
    scores: str | Path | None = None,
    indicative: bool = False,
    scale: tuple[float, float] | None = None,
    force: bool = False,
) -> Path:
    """Write a scoring workbook a working group fills in (pre-filled from ``scores``).

    ``indicative`` scores the top-level criteria; ``scale`` (lowest, highest) is a blank
    template's scale (default 1..5).
    """
    from appraise import arguments as check
    from appraise.io.xlsx_template import make_template as make

    _a_file("criteria", criteria)
    if scale is not None:
        if isinstance(scale, (str, bytes)) or not isinstance(scale, Sequence) or len(scale) != 2:
            raise ParameterError("scale", "expected (lowest, highest)")
        scale = (
            check.number("scale", scale[0], -1e12, 1e12),
            check.number("scale", scale[1], -1e12, 1e12),
        )
    return make(
        str(criteria),
        Path(path),
        None if scores is None else str(scores),
        indicative=indicative,
        force=force,
        scale=scale,
    )


def check(
    files: Sequence[str | Path],
    *,
    normalise: bool = False,
    missing: Missing = "error",
) -> CheckResult:
    """Every problem in any mix of criteria, scores and rules files (and workbooks), listed.

    Nothing is raised for a problem in a file: each is a ``Problem`` (file, place, message,
    severity) in the result, errors and warnings, one to a place; rules files are checked
    against the groups of the scores files given with them. ``missing`` is the policy a gap is
    judged by (a gap is a warning unless it is ``"error"``).
    """
    from appraise.io import check_files

    return check_files([Path(f) for f in files], Settings(normalise=normalise, missing=missing))


def weigh(elicitation: str | Path, *, combine: str | None = None) -> Elicited:
    """Each body's weights from its judgements, and the bodies' weights pooled.

    ``elicitation``: an elicitation file (CONTRACT 1.6) or a bundled example's name;
    ``combine``: ``"mean"``, ``"geometric"`` or ``"median"`` over the file's choice. Raises
    ``Problems`` listing every problem of the judgements at once.
    """
    from appraise import arguments as check
    from appraise.analysis.elicitation import elicit
    from appraise.choices import Pooling
    from appraise.io.elicitation import load_elicitation

    how = None if combine is None else check.choice("combine", combine, Pooling)
    spec, tree, _ = load_elicitation(elicitation)
    return elicit(spec, tree, how)


def leaders_by_body(result: Elicited, sheet: ScoreSheet) -> list[dict[str, Any]]:
    """Who leads ``sheet`` under each body's weights, and under the pooled weights.

    Each entry: ``body`` (None for the pooled weights), ``leader`` (ids; several when tied)
    and ``same`` (whether that is the pooled weights' leader). The sheet must be scored on the
    tree the bodies weighed.
    """
    from appraise.errors import InputError

    leaves = set(result.weights)
    if set(sheet.tree.leaf_ids) != leaves:
        raise InputError(
            sheet.path, "criteria", "is scored on other criteria than the ones the bodies weighed"
        )

    def leaders(weights: Mapping[str, float]) -> list[str]:
        points = {
            k: v * 100 for family in result.local(dict(weights)).values() for k, v in family.items()
        }
        ranking = rank(sheet, weights_given=points, missing="exclude")
        return [o.id for o in ranking.options if o.rank == 1]

    pooled = leaders(result.weights)
    out: list[dict[str, Any]] = [{"body": None, "leader": pooled, "same": True}]
    for body in result.bodies:
        mine = leaders(body.weights)
        out.append({"body": body.id, "leader": mine, "same": mine == pooled})
    return out


def write_weighed(
    result: Elicited, out: str | Path, *, elicitation: str | Path, force: bool = False
) -> Path:
    """A criteria file of the pooled weights (base) and each body's (a weight set each).

    Written whole or not at all, never over ``elicitation`` or an existing file unless
    ``force``. Its ``source`` says where the weights came from and how they were rounded.
    """
    import yaml

    from appraise.io.safe_write import require_suffix, write_atomically
    from appraise.present.elicitation import POINT_DECIMALS, criteria_document

    target = Path(out)
    require_suffix(target, ".yaml", "a criteria file")
    bodies = ", ".join(b.id for b in result.bodies)
    source = (
        f"Weights from 'appraise weigh {Path(elicitation).name}': the {result.pooling} of the "
        f"global weights of {len(result.bodies)} bodies ({bodies}), each body's own as a weight "
        f"set; in points to {POINT_DECIMALS} decimal place, each family summing to 100 "
        f"(largest remainder). Criteria from {result.tree.spec.title}."
    )
    document = criteria_document(result, source)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    from appraise.io.elicitation import resolve_elicitation_path

    # The file read (a bundled name resolved), so it is never written over.
    inputs = [resolve_elicitation_path(elicitation)]
    inputs += [result.tree.source] if result.tree.source else []
    return write_atomically(target, write, inputs=inputs, force=force)


def what_if(sheets: Sequence[ScoreSheet], settings: Settings | None = None) -> WhatIf:
    """The weights in force over these scores files, changed one step at a time.

    ``explore``'s state as a library: ``change(node, points)``, ``step``, ``use_weight_set``
    and ``restore`` rank every sheet again (as ``rank`` with ``weights_given``) and say which
    leader changed at which threshold; ``bounds`` is ``sensitivity``'s threshold for a node;
    ``history`` the weightings tried.
    """
    from appraise.analysis.whatif import WhatIf

    return WhatIf(list(sheets), settings or Settings())


def _explored_inputs(whatif: WhatIf) -> list[Path]:
    """The files a session read: never written over by its record."""
    paths = [Path(s.source or s.path) for s in whatif.sheets]
    return paths + ([whatif.tree.source] if whatif.tree.source else [])


def check_explored_output(out: str | Path, whatif: WhatIf, force: bool = False) -> None:
    """Refuse a record's name other than .yaml, an input, or an existing file without ``force``.

    Checked before the session starts, so a meeting's work is not refused at the end.
    """
    from appraise.io.safe_write import check_output_path, require_suffix

    target = Path(out)
    require_suffix(target, ".yaml", "a criteria file")
    check_output_path(target, _explored_inputs(whatif), force)


def explored_text(whatif: WhatIf, *, when: str | None = None) -> tuple[str, int]:
    """The weightings tried as a criteria file's text, and how many it holds.

    The criteria table is the one explored, unchanged, with its own weight sets; each
    weighting tried is a set ``explored-N`` listing every criterion's and sub-criterion's
    points, and a comment above names who led under it and the ``--weight`` options that
    rerun it on the files as they are.
    """
    import shlex
    from datetime import date

    import yaml

    from appraise.analysis.whatif import options_for

    document, lines, left_out = whatif.explored_document()
    files = " ".join(shlex.quote(str(p)) for p in [s.path for s in whatif.sheets])
    header = [
        f"Weightings tried in 'appraise explore' on {when or date.today().isoformat()}, "
        f"over {files}.",
        "Each explored-N lists every criterion's points; its line below says who led and the",
        "one-off weights that rerun it on those files (appraise sensitivity FILE --weight ...).",
        "Or weigh the files by this one: sensitivity FILE --criteria THIS --weights explored-N",
    ]
    if whatif.weight_sets:
        header.append(
            f"The sets {', '.join(whatif.weight_sets)} are {whatif.tree.path}'s own, copied: "
            "its comments say where they come from."
        )
    if any(sheet.illustrative for sheet in whatif.sheets):
        header.append("ILLUSTRATIVE SCORES: who led comes from scores the files say are invented.")
    if left_out:
        header.append(
            f"The {left_out} earliest weightings were left out (100 weight sets at most)."
        )
    tried = whatif.history[-len(lines) :] if lines else []
    for line, t in zip(lines, tried, strict=True):
        base = whatif.set_points(t.weight_set)
        given = [(n.id, t.points[n.id]) for n in whatif.nodes if t.points[n.id] != base[n.id]]
        flags = options_for(replace(whatif.settings, weight_set=t.weight_set), given)
        header.append(f"{line}; rerun: {' '.join(flags) or '(the file as it is)'}")
    import textwrap

    text = "".join(
        f"# {part}\n"
        for line in header
        for part in textwrap.wrap(
            line, 96, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False
        )
    )
    text += yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text, len(lines)


def write_explored(
    out: str | Path, whatif: WhatIf, *, force: bool = False, when: str | None = None
) -> tuple[Path, int]:
    """Write ``explored_text`` to ``out`` (.yaml), whole or not at all, never over an input.

    Returns the path and how many weightings it holds.
    """
    from appraise.io.safe_write import write_atomically

    text, count = explored_text(whatif, when=when)

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    path = write_atomically(Path(out), write, inputs=_explored_inputs(whatif), force=force)
    return path, count


def make_elicitation_workbook(
    path: str | Path,
    criteria: str | Path | None = None,
    *,
    bodies: Sequence[str] | None = None,
    elicitation: str | Path | None = None,
    force: bool = False,
) -> Path:
    """Write a weighting workbook: a sheet per body, which ``weigh`` reads as a file.

    Blank, for ``bodies`` (ids) on ``criteria``; or pre-filled from an ``elicitation`` file.
    """
    from appraise.io.elicitation import make_elicitation_workbook as make

    if (criteria is None) == (elicitation is None):
        raise ParameterError("criteria", "give the criteria, or an elicitation file, not both")
    return make(
        Path(path),
        None if criteria is None else str(criteria),
        None if bodies is None else [str(b) for b in bodies],
        None if elicitation is None else str(elicitation),
        force,
    )


def merge_panels(sources: Sequence[str | Path]) -> Panel:
    """One panel from scores files members filled in alone (workbooks or YAML), not written.

    The files must agree on the group, criteria (by content), scale and options; each gives the
    scorers whose scores it holds, with their interests and evidence, and the gate results and
    measures are carried. Raises ``Conflicts`` (an ``AppraiseError``) listing every place two
    files disagree. ``Panel.sheet`` is the panel as ``rank`` takes it.
    """
    from appraise.io.merge import merge_panels as merge_files

    return merge_files(_files("sources", sources))


def _files(parameter: str, values: object) -> list[str | Path]:
    """A list of files' paths or bundled names, as a parameter must be."""
    if isinstance(values, (str, Path)) or not isinstance(values, Sequence):
        what = type(values).__name__
        raise ParameterError(parameter, f"expected a list of files, found a {what}")
    for value in values:
        _a_file(parameter, value)
    return list(values)


@dataclass(frozen=True)
class Merged:
    """A panel merged from members' files, and the file it was written to."""

    path: Path
    panel: Panel

    @property
    def notes(self) -> tuple[str, ...]:
        """What the merge noted (a scorer who left an option unscored, say)."""
        return self.panel.notes


def merge(path: str | Path, sources: Sequence[str | Path], *, force: bool = False) -> Merged:
    """Merge members' files into one panel (see ``merge_panels``) and write it to ``path``.

    A ``.xlsx`` name writes a scoring workbook, ``.yaml`` a scores file; either reads back as
    the panel. Written whole or not at all, never over an input, over an existing file only
    with ``force``.
    """
    from appraise.io.files import shown_path
    from appraise.io.merge import merge_panels as merge_files
    from appraise.io.panel_write import check_panel_name, write_panel

    target = Path(path)
    check_panel_name(target)  # before the work, not after
    panel = merge_files(_files("sources", sources), shown_path(target))
    return Merged(write_panel(panel, target, force), panel)


def copy_examples(folder: str | Path) -> list[Path]:
    """The bundled criteria, options and examples, copied into a new (or empty) folder.

    Nothing is written over: a folder that holds anything is refused. Returns the folders made.
    """
    from appraise.io.examples import copy_examples as copy

    return copy(Path(folder))


__all__ = [
    "Exported",
    "Merged",
    "check",
    "combine",
    "copy_examples",
    "diff",
    "explain",
    "export_workbook",
    "leaders_by_body",
    "load_criteria",
    "load_scores",
    "make_elicitation_workbook",
    "make_template",
    "merge",
    "merge_panels",
    "rank",
    "scores_from_data",
    "sensitivity",
    "weigh",
    "write_weighed",
]
