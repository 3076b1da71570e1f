"""Charts as pictures (PNG, SVG), drawn with matplotlib.

Contributions, one-way sensitivity, rank acceptability, value against cost, and the robustness
of the preferred combination. Each public ``*_chart`` function takes a result the analyses
return and gives a matplotlib ``Figure``, built directly (never pyplot: no global state, no
window, safe in a server); ``save_chart`` writes one as ``.png`` or ``.svg`` through the
project's safe write, and ``svg_text`` gives the SVG for embedding in a page. matplotlib is
imported inside the functions that draw, so importing this module (and ``appraise``) stays light.

Every chart reads in greyscale and to the colour-blind: the Okabe-Ito palette, a hatching per
stacked segment, labels on the data where they fit. Every chart says what it shows (title), on
which scale (axis labels) and from what (a footnote naming each input with the first 12 hex
digits of its SHA-256, the weights in force, the seed and samples of any simulation, and
ILLUSTRATIVE SCORES where a file says its scores are invented). Figures are the ones ``rank``
and ``value`` give, under their names (total, benefit).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.errors import ParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from appraise.analysis.combine.run import CombineResult
    from appraise.analysis.scoring import Ranking
    from appraise.analysis.sensitivity import WeightChart
    from appraise.analysis.smaa import SmaaResult
    from appraise.analysis.value import Value
    from appraise.data import ScoreSheet

# Okabe & Ito (2008), "Color universal design": distinguishable with any colour vision. Black
# comes last: a label on a black segment would need white text.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
# One hatching per stacked segment, so neighbours differ in greyscale too.
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--", "**", "||")
# Lines: yellow last, as it reads worst as a thin line on white.
LINE_COLOURS = (*OKABE_ITO[:3], *OKABE_ITO[4:], OKABE_ITO[3])
# Line styles and markers for the sensitivity lines, so they differ without colour.
LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
EDGE = "#333333"

WIDTH_INCHES = 9.0
DPI = 150  # a PNG 1,350 pixels wide: sharp on a slide, small enough to mail
TITLE_POINTS = 12.0
FOOTNOTE_POINTS = 7.0
SHOWN_LINES = 8  # the sensitivity chart draws at most this many options (the first, by rank)
SHOWN_BARS = 30  # bar charts draw at most this many options (the first, by rank): a page's worth
SHOWN_RANKS = 8  # acceptability: at most this many segments, the last "rank 8 or lower"
SUFFIXES = (".png", ".svg")

# rcParams every chart is drawn and saved under: the same picture on every machine.
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so no system font changes a chart
    "svg.fonttype": "path",  # glyphs as paths: the SVG needs no font and no external file
    "svg.hashsalt": "appraise",  # fixed ids inside the SVG: byte-identical across runs
    "text.parse_math": False,  # a '$' in an option's name is a dollar, not mathtext
    "text.usetex": False,
    "hatch.linewidth": 0.6,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
}


@contextmanager
def _drawing() -> Iterator[None]:
    """The house rcParams, for building and for saving (text is laid out at save)."""
    import matplotlib as mpl

    with mpl.rc_context(RC):  # type: ignore[arg-type]  # keys checked by matplotlib itself
        yield


# --- provenance ------------------------------------------------------------------------------


def short_sha256(path: Path) -> str | None:
    """The first 12 hex digits of a file's SHA-256, or None when there is no file to read."""
    from appraise.io.files import sha256_of

    try:
        return sha256_of(path)[:12]
    except OSError:
        return None


def _cited(path: Path, role: str = "") -> str:
    digest = short_sha256(path)
    named = f"{role} {path.name}" if role else path.name
    return f"{named} (SHA-256 {digest})" if digest else f"{named} (not a file)"


def _weights_text(ranking: Ranking) -> str:
    """The weights in force, as the footnote says them."""
    if ranking.weight_set is None:
        text = "weights: the criteria file's own"
    else:
        text = f"weights: weight set '{ranking.weight_set}'"
    given = ranking.settings.weights_given if ranking.settings else ()
    if given:
        text += ", with one-off " + ", ".join(f"{node}={points:g}" for node, points in given)
    return text


def provenance(
    rankings: Sequence[Ranking],
    *,
    extra: Sequence[tuple[str, Path]] = (),
    simulation: str | None = None,
    more: Sequence[str] = (),
) -> list[str]:
    """The footnote's sentences: inputs with their SHA-256, weights, simulation, version.

    ``extra`` are further inputs as (role, path), a rules file say; ``simulation`` says the
    draws (samples, seed, distribution); ``more`` are sentences about what the chart shows
    (where lines cross, options left out), which come first, after ILLUSTRATIVE SCORES.
    """
    from appraise import __version__

    sheets = [r.sheet for r in rankings]
    lines = []
    if any(s.illustrative for s in sheets):
        lines.append(
            "ILLUSTRATIVE SCORES: invented to show how appraise works; not anyone's appraisal."
        )
    lines += list(more)
    inputs = [_cited(s.file) for s in sheets]
    trees = list(dict.fromkeys(s.tree.file for s in sheets))
    inputs += [_cited(path, "criteria") for path in trees]
    inputs += [_cited(path, role) for role, path in extra]
    lines.append("Inputs: " + "; ".join(inputs) + ".")
    first = rankings[0]
    policy = [_weights_text(first)]
    if first.sheet.per_scorer:
        policy.append(f"scorers' scores combined by {first.aggregate}")
    settings = first.settings
    if settings is not None and settings.missing != "error":
        policy.append(f"missing scores: {settings.missing}")
    lines.append("; ".join(policy).capitalize() + ".")
    if simulation:
        lines.append(simulation)
    lines.append(f"Made by appraise {__version__}.")
    return lines


def _simulation_text(samples: int, seed: int, distribution: str, what: str = "") -> str:
    return (
        f"Simulation: {samples:,} weight draws ({distribution}{', ' + what if what else ''}), "
        f"seed {seed}; the same seed gives the same draws."
    )


# --- the frame every chart shares -------------------------------------------------------------


def _figure(height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")


def _wrap(text: str, points: float, em: float = 0.56) -> str:
    """``text`` wrapped to the figure's width at a font size.

    DejaVu Sans takes about 0.56 em a character, 0.64 in bold.
    """
    chars = int(WIDTH_INCHES * 72 / (points * em)) - 4
    return "\n".join(
        textwrap.fill(p, chars, break_on_hyphens=False, break_long_words=False)
        for p in text.split("\n")
    )


def _finish(figure: Figure, title: str, footnote: Sequence[str]) -> Figure:
    """Title on top, footnote below, the axes laid out in between; the texts kept for SVG."""
    top = _wrap(title, TITLE_POINTS, em=0.64)
    note = _wrap("\n".join(footnote), FOOTNOTE_POINTS)
    height = figure.get_figheight()
    foot = (note.count("\n") + 1) * FOOTNOTE_POINTS * 1.35 / 72 + 0.12
    figure.suptitle(top, fontsize=TITLE_POINTS, fontweight="bold")
    figure.text(
        0.01,
        0.06 / height,
        note,
        ha="left",
        va="bottom",
        fontsize=FOOTNOTE_POINTS,
        color="#222222",
        gid="appraise-footnote",
    )
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = figure.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # made with layout="constrained"
    engine.set(rect=(0.0, foot / height, 1.0, 1.0 - foot / height))
    figure.set_label(title)
    return figure


def _footnote_of(figure: Figure) -> str:
    return next((str(t.get_text()) for t in figure.texts if t.get_gid() == "appraise-footnote"), "")


def _group_name(sheet: ScoreSheet) -> str:
    return sheet.spec.name or sheet.group


def _option_label(rank: int | None, name: str, status_quo: bool) -> str:
    label = f"{rank}. {name}" if rank is not None else name
    label += " (status quo)" if status_quo else ""
    return textwrap.fill(label, 34)


def _scale_text(sheet: ScoreSheet) -> str:
    return f"{sheet.scale.min:g} to {sheet.scale.max:g}"


def _height(rows: int, extra: float = 2.6) -> float:
    return extra + 0.42 * max(rows, 2)


def _segment_style(k: int) -> dict[str, Any]:
    """Colour and hatching of the k-th stacked segment: unique for 80 segments."""
    return {
        "color": OKABE_ITO[k % len(OKABE_ITO)],
        "hatch": HATCHES[(k + k // len(OKABE_ITO)) % len(HATCHES)],
        "edgecolor": EDGE,
        "linewidth": 0.6,
    }


def _legend_below(ax: Axes, *, ncols: int, title: str | None = None) -> None:
    """The legend under the axis label, a fixed distance below the axes whatever their height."""
    from matplotlib.transforms import ScaledTranslation

    below = ScaledTranslation(0, -0.45, ax.figure.dpi_scale_trans)  # ticks and axis label
    ax.legend(
        title=title,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + below,
        ncols=ncols,
        frameon=False,
    )


# --- 1. contributions ------------------------------------------------------------------------


def contributions_chart(ranking: Ranking) -> Figure:
    """Each option's total as stacked bars of its top-level criteria's contributions.

    Options in rank order, first at the top; each segment is a criterion's contribution (its
    leaves' global weight x score, summed), in the criteria file's order; the total as ``rank``
    gives it at the end of each bar. Negative contributions (a scale below 0) stack leftwards.
    """
    _some_options(ranking)
    with _drawing():
        return _contributions(ranking)


def _contributions(ranking: Ranking) -> Figure:
    sheet = ranking.sheet
    tree = sheet.tree
    options = ranking.options[:SHOWN_BARS]
    figure = _figure(_height(len(options)) + 0.3)
    ax = figure.add_subplot()
    rows = list(range(len(options)))
    positive = [0.0] * len(options)
    negative = [0.0] * len(options)
    for k, criterion in enumerate(tree.top_ids):
        parts = [o.contributions.get(criterion, 0.0) for o in options]
        left = [negative[i] if c < 0 else positive[i] for i, c in enumerate(parts)]
        ax.barh(rows, parts, left=left, label=tree.name(criterion), **_segment_style(k))
        for i, c in enumerate(parts):
            if c < 0:
                negative[i] += c
            else:
                positive[i] += c
    span = max(max(positive, default=0.0), 0.0) - min(min(negative, default=0.0), 0.0)
    for i, option in enumerate(options):
        end = max(positive[i], 0.0)
        ax.text(
            end + 0.01 * (span or 1.0),
            i,
            f"{option.total:.2f}",
            va="center",
            ha="left",
            fontsize=8,
            fontweight="bold",
            gid=f"total-{i}",
        )
    ax.set_yticks(rows, [_option_label(o.rank, o.name, o.status_quo) for o in options])
    ax.invert_yaxis()
    ax.set_xlim(min(min(negative, default=0.0), 0.0), max(positive, default=0.0) + 0.12 * span)
    if any(n < 0 for n in negative):
        ax.axvline(0, color=EDGE, linewidth=0.8)
    ax.set_xlabel(
        f"Total on the {_scale_text(sheet)} scale: each segment is a criterion's weight x score"
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    _legend_below(ax, title="Criterion", ncols=min(4, len(tree.top_ids)))
    title = f"{_group_name(sheet)}: contributions to each option's total"
    return _finish(figure, title, provenance([ranking], more=_cut(ranking, len(options))))


def _cut(ranking: Ranking, shown: int) -> list[str]:
    """The footnote's word on options left out of a chart, if any were."""
    count = len(ranking.options)
    return [f"The first {shown} of {count} options by rank are drawn."] if count > shown else []


def _some_options(ranking: Ranking) -> None:
    """Refuse a ranking with no option in it: there would be nothing to draw."""
    if not ranking.options:
        from appraise.errors import InputError

        raise InputError(
            ranking.sheet.path, "options", "no option is ranked (all were set aside): no chart"
        )


# --- 2. one-way sensitivity ------------------------------------------------------------------


def default_criterion(ranking: Ranking) -> str:
    """The criterion (or sub-criterion) whose threshold lies nearest today's weight.

    A threshold is where today's leader stops being first as that weight moves (``lower`` or
    ``upper`` of ``sensitivity.thresholds``). Where no weight can change the leader, the
    heaviest top-level criterion.
    """
    from appraise.analysis.sensitivity import thresholds

    found = []
    every = thresholds(ranking)
    for t in every:
        gaps = [abs(t.weight - bound) for bound in (t.lower, t.upper) if bound is not None]
        if gaps:
            found.append((min(gaps), t.criterion))
    if found:
        return min(found, key=lambda item: item[0])[1]  # the first listed on a tie
    top = [t for t in every if t.level == "criterion"]
    return max(top, key=lambda t: t.weight).criterion if top else ranking.sheet.tree.top_ids[0]


def sensitivity_chart(ranking: Ranking, criterion: str | None = None) -> Figure:
    """Each option's total as one criterion's weight runs from 0% to 100% (Hiview style).

    The other weights keep their proportions, so each total is a straight line; today's weight
    is a vertical line, and each place two of the drawn options change order is marked with its
    weight. ``criterion`` defaults to ``default_criterion``.

    Raises:
        ParameterError: On ``criterion``: no criterion or sub-criterion of the sheet.
    """
    from appraise.analysis.sensitivity import weight_chart

    _some_options(ranking)
    node = criterion if criterion is not None else default_criterion(ranking)
    try:
        chart = weight_chart(ranking, node, SHOWN_LINES)
    except ParameterError as exc:
        raise ParameterError("criterion", exc.message) from None
    with _drawing():
        return _sensitivity(ranking, chart, criterion is None)


def _end_label(name: str) -> str:
    """An option's name at a line's end: two lines of 24 characters at most."""
    return textwrap.fill(textwrap.shorten(name, 48, placeholder="..."), 24)


def _text_colour(colour: str) -> str:
    """A line's colour for its label, yellow darkened to read on white."""
    return "#8a7d00" if colour == OKABE_ITO[3] else colour


def _spread_out(ends: list[float], gap: float) -> list[float]:
    """Label heights near ``ends``, at least ``gap`` apart, in the same order."""
    order = sorted(range(len(ends)), key=lambda i: ends[i])
    placed = [ends[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    shift = (sum(placed) - sum(ends[i] for i in order)) / max(len(placed), 1)
    out = [0.0] * len(ends)
    for k, i in enumerate(order):
        out[i] = placed[k] - shift
    return out


def _sensitivity(ranking: Ranking, chart: WeightChart, chosen: bool) -> Figure:
    from appraise.weights import percent_text

    sheet = ranking.sheet
    tree = sheet.tree
    line = chart.line
    names = {o.id: o.name for o in ranking.options}
    drawn = chart.ids[: chart.shown]
    criterion = tree.name(line.criterion)
    figure = _figure(5.6)
    ax = figure.add_subplot()
    for i, option in enumerate(drawn):
        ax.plot(
            [0.0, 100.0],
            [float(line.at0[i]), float(line.at1[i])],
            color=LINE_COLOURS[i % len(LINE_COLOURS)],
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            marker=MARKERS[i % len(MARKERS)],
            markevery=[1],
            linewidth=1.6,
            label=names[option],
            gid=f"line-{option}",
        )
    low = min(float(min(line.at0[: len(drawn)])), float(min(line.at1[: len(drawn)])))
    high = max(float(max(line.at0[: len(drawn)])), float(max(line.at1[: len(drawn)])))
    pad = 0.06 * ((high - low) or 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlim(0, 100)
    labels = [_end_label(names[option]) for option in drawn]
    rows = max(label.count("\n") + 1 for label in labels) if labels else 1
    heights = _spread_out(
        [float(line.at1[i]) for i in range(len(drawn))], 0.05 * rows * (high - low + 2 * pad)
    )
    for i, _ in enumerate(drawn):
        ax.annotate(
            labels[i],
            xy=(100, float(line.at1[i])),
            xytext=(104, heights[i]),
            textcoords="data",
            va="center",
            fontsize=8,
            color=_text_colour(LINE_COLOURS[i % len(LINE_COLOURS)]),
            arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5},
            annotation_clip=False,
        )
    today = 100 * line.current
    ax.axvline(today, color=EDGE, linewidth=1.0, linestyle=(0, (4, 2)), gid="today")
    ax.annotate(
        f"today {percent_text(line.current)}%",
        xy=(today, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -10),
        textcoords="offset points",
        fontsize=8,
        color=EDGE,
    )
    said = []
    for k, (t, below, above) in enumerate(chart.crossings):
        y = float(line.totals(t)[drawn.index(above)])
        ax.plot([100 * t], [y], marker="o", markersize=6, color="white", markeredgecolor=EDGE)
        ax.annotate(
            f"{percent_text(t, 0)}%",
            xy=(100 * t, y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            gid=f"crossing-{k}",  # an id in the SVG: one each
        )
        said.append(f"at {percent_text(t)}% {names[above]} overtakes {names[below]}")
    ax.set_xlabel(
        _wrap(
            f"Weight of {criterion} ({line.criterion}), % of all weight; the other weights in "
            "proportion",
            9,
        )
    )
    ax.set_ylabel(f"Total ({_scale_text(sheet)} scale)")
    ax.grid(color="#e5e5e5", linewidth=0.5)
    more = []
    more.append(
        "Where the order changes: " + "; ".join(said) + "."
        if said
        else "The order of the options drawn does not change anywhere from 0% to 100%."
    )
    if chosen:
        more.append(
            f"{criterion} is drawn as the criterion whose threshold lies nearest today's weight."
        )
    if len(chart.ids) > chart.shown:
        more.append(f"The first {chart.shown} of {len(chart.ids)} options by rank are drawn.")
    title = (
        f"{_group_name(sheet)}: each option's total as the weight of {criterion} runs from 0% "
        "to 100%"
    )
    return _finish(figure, title, provenance([ranking], more=more))


# --- 3. rank acceptability -------------------------------------------------------------------


def acceptability_chart(ranking: Ranking, smaa: SmaaResult) -> Figure:
    """Per option (rank order), the share of simulated weightings in which it takes each rank.

    Each bar is stacked by rank (first on the left) and sums to 1; the shares are SMAA-2's rank
    acceptability indices, as ``sensitivity`` reports them.
    """
    _some_options(ranking)
    with _drawing():
        return _acceptability(ranking, smaa)


def _acceptability(ranking: Ranking, smaa: SmaaResult) -> Figure:
    from matplotlib.ticker import PercentFormatter

    from appraise.weights import percent_text

    sheet = ranking.sheet
    named = {o.id: o for o in ranking.options}
    options = [named[i] for i in smaa.option_ids][:SHOWN_BARS]
    shares = smaa.rank_acceptability
    ranks = shares.shape[1]
    figure = _figure(_height(len(options)) + 0.3)
    ax = figure.add_subplot()
    rows = list(range(len(options)))
    left = [0.0] * len(options)
    # Each rank its own segment up to SHOWN_RANKS; below that, one grey segment for the rest.
    segments = [(f"rank {r + 1}", [r]) for r in range(min(ranks, SHOWN_RANKS))]
    if ranks > SHOWN_RANKS + 1:
        segments[-1] = (f"rank {SHOWN_RANKS} or lower", list(range(SHOWN_RANKS - 1, ranks)))
    elif ranks == SHOWN_RANKS + 1:
        segments.append((f"rank {ranks}", [ranks - 1]))
    for k, (label, columns) in enumerate(segments):
        widths = [float(shares[i, columns].sum()) for i in rows]
        style = _segment_style(k)
        if len(columns) > 1:
            style["color"] = "#bbbbbb"
        ax.barh(rows, widths, left=left, label=label, **style)
        for i, w in enumerate(widths):
            if w >= 0.07:
                ax.text(
                    left[i] + w / 2,
                    i,
                    f"{percent_text(w, 0)}%",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )
            left[i] += w
    ax.set_yticks(rows, [_option_label(o.rank, o.name, o.status_quo) for o in options])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel("Share of simulated weightings in which the option takes each rank")
    _legend_below(ax, title="Rank", ncols=min(4, len(segments)))
    noise = {"none": "scores fixed", "scorers": "scorers resampled", "range": "scores in range"}
    simulation = _simulation_text(
        smaa.samples, smaa.seed, smaa.distribution, noise[smaa.score_noise]
    )
    title = (
        f"{_group_name(sheet)}: how often each option takes each rank over {smaa.samples:,} "
        "simulated weightings"
    )
    more = _cut(ranking, len(options))
    return _finish(figure, title, provenance([ranking], simulation=simulation, more=more))


# --- 4. benefit against cost -----------------------------------------------------------------


def value_chart(value: Value) -> Figure:
    """Benefit against cost: every option with the figure, the frontier joined and labelled.

    x is the cost figure in the file's unit, y the benefit as ``value`` gives it (the total, or
    the total less the status quo's). Frontier options are filled and joined in ascending cost;
    dominated ones are open squares labelled with one option that dominates them. Options
    without the figure are named in the footnote, never drawn as free.
    """
    with _drawing():
        return _value(value)


def _value(value: Value) -> Figure:
    from appraise.weights import percent_text

    ranking = value.ranking
    sheet = ranking.sheet
    names = {o.id: o.name for o in ranking.options}
    on = [o for o in value.options if o.frontier]
    off = [o for o in value.options if not o.frontier]
    figure = _figure(6.0)
    ax = figure.add_subplot()
    ax.plot(
        [o.cost for o in on],
        [o.benefit for o in on],
        color=OKABE_ITO[4],
        linewidth=1.4,
        zorder=2,
        gid="frontier-line",
    )
    ax.scatter(
        [o.cost for o in on],
        [o.benefit for o in on],
        s=48,
        color=OKABE_ITO[4],
        edgecolors=EDGE,
        zorder=3,
        label="on the frontier",
        gid="frontier",
    )
    if off:  # only then in the legend
        ax.scatter(
            [o.cost for o in off],
            [o.benefit for o in off],
            s=44,
            marker="s",
            facecolors="none",
            edgecolors=OKABE_ITO[5],
            linewidths=1.4,
            zorder=3,
            label="dominated (another option gives as much benefit for no more cost)",
            gid="dominated",
            # Thousands of markers as one picture inside the SVG: a PDF of 2,000 took 20 s more.
            rasterized=len(off) > SHOWN_BARS,
        )
    shares = value.smaa.share if value.smaa is not None else {}
    offsets = _label_offsets(value)
    # Past a page's worth of options a label per point is a blot (and 2,000 took 20 s to
    # set): the frontier and the status quo keep theirs, the footnote says so.
    labelled = [
        o for o in value.options if len(value.options) <= SHOWN_BARS or o.frontier or o.status_quo
    ]
    for o in labelled:
        said = "status quo" in o.name.casefold()
        label = o.name + (" (status quo)" if o.status_quo and not said else "")
        if o.dominated_by is not None:
            label += f"\ndominated by {names.get(o.dominated_by, o.dominated_by)}"
        if o.id in shares:
            label += f"\non the frontier in {percent_text(shares[o.id], 0)}% of draws"
        ax.annotate(
            "\n".join(textwrap.fill(part, 30) for part in label.split("\n")),
            xy=(o.cost, o.benefit),
            xytext=offsets[o.id],
            textcoords="offset points",
            va="bottom" if offsets[o.id][1] > 0 else "top",
            fontsize=7.5,
            color="black" if o.frontier else "#7a2e00",
            fontweight="bold" if o.frontier else "normal",
        )
    if value.above_status_quo:
        ax.axhline(0, color=EDGE, linewidth=0.8, linestyle=(0, (4, 2)))
    xs = [o.cost for o in value.options] or [0.0]
    ys = [o.benefit for o in value.options] or [0.0]
    xpad = 0.08 * ((max(xs) - min(xs)) or 1.0)
    ypad = 0.08 * ((max(ys) - min(ys)) or 1.0)
    ax.set_xlim(min(xs) - xpad, max(xs) + 4 * xpad)  # room for the labels on the right
    ax.set_ylim(min(ys) - ypad, max(ys) + 1.5 * ypad)
    ax.set_xlabel(f"Cost: {value.figure} ({value.unit})")
    ax.set_ylabel(_benefit_label(value))
    ax.grid(color="#e5e5e5", linewidth=0.5)
    _legend_below(ax, ncols=2)
    more = []
    if len(labelled) < len(value.options):
        more.append(
            f"{len(value.options) - len(labelled):,} dominated options are drawn without a "
            f"label (more than {SHOWN_BARS} options): `appraise value` lists each, with an "
            "option that dominates it."
        )
    if value.without_cost:
        listed = ", ".join(name for _, name in value.without_cost)
        more.append(f"Not drawn, no {value.figure} cost given: {listed}.")
    if value.set_aside:
        listed = ", ".join(name for _, name, _ in value.set_aside)
        more.append(f"Not drawn, set aside before ranking: {listed}.")
    simulation = (
        _simulation_text(
            value.smaa.sampling.samples, value.smaa.sampling.seed, value.smaa.sampling.distribution
        )
        if value.smaa is not None
        else None
    )
    title = f"{_group_name(sheet)}: benefit against {value.figure} cost, with the frontier"
    return _finish(figure, title, provenance([ranking], simulation=simulation, more=more))


def _label_offsets(value: Value) -> dict[str, tuple[int, int]]:
    """Where each point's label goes, in points: above right of it, or below right of it.

    Below when the point before it (in cost) is close and labelled above, so labels meet less.
    """
    xs = [o.cost for o in value.options] or [0.0]
    ys = [o.benefit for o in value.options] or [0.0]
    near_x = 0.3 * ((max(xs) - min(xs)) or 1.0)
    near_y = 0.3 * ((max(ys) - min(ys)) or 1.0)
    out: dict[str, tuple[int, int]] = {}
    before = None
    for o in value.options:  # in ascending cost
        close = (
            before is not None
            and abs(o.cost - before.cost) < near_x
            and abs(o.benefit - before.benefit) < near_y
        )
        below = close and out[before.id][1] > 0 if before is not None else False
        out[o.id] = (6, -6) if below else (6, 4)
        before = o
    return out


def _benefit_label(value: Value) -> str:
    scale = _scale_text(value.ranking.sheet)
    if not value.above_status_quo:
        return f"Benefit: the total ({scale} scale)"
    quo = next((o for o in value.ranking.options if o.status_quo), None)
    name = quo.name if quo is not None else "the status quo"
    return textwrap.fill(
        f"Benefit above the status quo: total less {name}'s {value.baseline:.2f} ({scale} scale)",
        48,
    )


# --- 5. robustness of the preferred combination ----------------------------------------------


def combinations_chart(result: CombineResult, rules: Path | None = None) -> Figure:
    """How often each of today's top combinations is the best one over simulated weightings.

    One bar per combination listed (rank order), and one for "another combination": the
    draws in which a combination outside today's list is best, so the bars sum to 1. Below the
    chart, what the first combination chooses in each group and where the others differ.

    Raises:
        ParameterError: On ``samples``: the result has no simulation to draw.
        InputError: No combination satisfies the rules.
    """
    if result.simulation is None:
        raise ParameterError(
            "samples", "the combinations chart draws the simulation: give samples above 0"
        )
    if not result.combinations:
        from appraise.errors import InputError

        raise InputError(
            rules or Path(result.rankings[0].sheet.path), "", "no combination satisfies the rules"
        )
    with _drawing():
        return _combinations(result, rules)


def _combinations(result: CombineResult, rules: Path | None) -> Figure:
    from matplotlib.ticker import PercentFormatter

    from appraise.weights import percent_text

    simulation = result.simulation
    assert simulation is not None
    combos = result.combinations
    figure_name = "rescaled total" if result.rescaled else "total"
    shares = [float(s) for s in simulation.shares]
    rest = max(0.0, 1.0 - sum(shares))
    letters = [_letter(k) for k in range(len(combos))]
    labels = [
        f"{letter}: rank {c.rank} ({figure_name} {c.total:.2f})"
        for letter, c in zip(letters, combos, strict=True)
    ]
    labels.append("another combination")
    values = [*shares, rest]
    figure = _figure(_height(len(values)) + 0.6)
    ax = figure.add_subplot()
    rows = list(range(len(values)))
    colours = [OKABE_ITO[4] if c.rank == 1 else OKABE_ITO[1] for c in combos] + ["#bbbbbb"]
    hatches = ["" if c.rank == 1 else "//" for c in combos] + [".."]
    bars = ax.barh(rows, values, color=colours, edgecolor=EDGE, linewidth=0.6, gid="shares")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    for i, share in enumerate(values):
        ax.text(share + 0.01, i, f"{percent_text(share, 1)}%", va="center", fontsize=8)
    ax.set_yticks(rows, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel("Share of simulated weightings in which the combination is the best one")
    first = combos[0]
    lines = ["A chooses " + "; ".join(f"{g}: {o}" for g, o in first.choice.items()) + "."]
    for letter, c in zip(letters[1:], combos[1:], strict=True):
        differ = [f"{g}: {o}" for g, o in c.choice.items() if first.choice.get(g) != o]
        lines.append(f"{letter} differs from A in " + "; ".join(differ) + ".")
    ties = result.tied_first
    tied = [f"{ties} combinations tie for first."] if ties > 1 else []
    groups = len(result.groups)
    simulation_text = _simulation_text(simulation.samples, simulation.seed, simulation.distribution)
    extra = [("rules", rules)] if rules is not None else []
    title = (
        f"Combinations across {groups} groups: how often each of the top {len(combos)} is the "
        f"best over {simulation.samples:,} simulated weightings"
    )
    notes = [*tied, *lines]
    return _finish(
        figure,
        title,
        provenance(list(result.rankings), extra=extra, simulation=simulation_text, more=notes),
    )


def _letter(k: int) -> str:
    """A, B, ... Z, AA, AB: a name for the k-th combination listed (ranks can tie)."""
    return (_letter(k // 26 - 1) if k >= 26 else "") + chr(ord("A") + k % 26)


# --- writing ---------------------------------------------------------------------------------


def svg_text(figure: Figure) -> str:
    """The figure as SVG text to embed in a page, the same every run.

    No XML declaration or DOCTYPE (so it can sit inside HTML), no external reference, glyphs as
    paths (no font needed); ``<title>`` is the chart's title, and the metadata's description
    its footnote.
    """
    import io

    buffer = io.BytesIO()
    with _drawing():
        figure.savefig(buffer, format="svg", metadata=_svg_metadata(figure))
    text = buffer.getvalue().decode("utf-8")
    start = text.index("<svg")
    return text[start:]


def _svg_metadata(figure: Figure) -> dict[str, Any]:
    from appraise import __version__

    return {
        "Title": figure.get_label() or None,
        "Description": _footnote_of(figure) or None,
        "Date": None,  # no timestamp: the same chart is the same file
        "Type": None,  # matplotlib's default is a URL
        "Creator": f"appraise {__version__}",
    }


def save_chart(
    figure: Figure, path: str | Path, force: bool = False, *, inputs: Sequence[Path] = ()
) -> Path:
    """Write ``figure`` as PNG or SVG (by the name's suffix), whole or not at all.

    Never over one of ``inputs``, nor over an existing file unless ``force``.

    Raises:
        ParameterError: On ``out``: the name ends in neither .png nor .svg.
        OutputError: The file exists (without ``force``), or could not be written.
    """
    from appraise.io.safe_write import write_atomically

    out = Path(path)
    check_chart_name(out)
    suffix = out.suffix.lower()
    if suffix == ".svg":
        data = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' + svg_text(figure)
        encoded = data.encode("utf-8")
    else:
        encoded = _png_bytes(figure)

    def write(temporary: Path) -> None:
        temporary.write_bytes(encoded)

    return write_atomically(out, write, inputs=inputs, force=force)


def _png_bytes(figure: Figure) -> bytes:
    import io

    from appraise import __version__

    buffer = io.BytesIO()
    with _drawing():
        figure.savefig(
            buffer, format="png", dpi=DPI, metadata={"Software": f"appraise {__version__}"}
        )
    return buffer.getvalue()


def check_chart_name(out: Path) -> None:
    """Refuse a name that ends in neither ``.png`` nor ``.svg``.

    Raises:
        ParameterError: On ``out``, naming the two kinds.
    """
    if out.suffix.lower() not in SUFFIXES:
        raise ParameterError(
            "out", f"give a name ending in .png or .svg for a chart, not '{out.name}'"
        )
