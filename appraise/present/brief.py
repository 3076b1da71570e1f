"""The board brief: one self-contained HTML page (styles and charts inline) for the HCE.

Built from the same records every other form prints (``ranking_record``, the sensitivity
summary, ``value_record``, ``combine_record``), so a figure called a total here is what ``rank``
calls a total. Nothing is fetched from anywhere: no link, script, font or image outside the
file, so it opens the same in an e-mail, offline, or years later. Every text from an input
file is escaped (``html.escape``); charts are SVG drawn by ``present.charts``. The page is
also well-formed XML (every element closed), so a strict parser can check it whole.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from appraise import __version__
from appraise.present.charts import SHOWN_BARS
from appraise.present.records import CombineRecord, RankingRecord
from appraise.present.value import ValueRecord, weights_text

ILLUSTRATIVE = "ILLUSTRATIVE SCORES: invented to show the method; not anyone's appraisal"

CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-center { content: "appraise board brief, page " counter(page); font-size: 8pt; }
        /*BANNER*/ }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #111; line-height: 1.35; }
body { max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 2mm 0; }
h2 { font-size: 14pt; margin: 8mm 0 2mm 0; border-bottom: 1.5pt solid #111;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm 0; break-after: avoid; page-break-after: avoid; }
p, li { margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 3mm 0; font-size: 9pt;
        break-inside: auto; }
th, td { border-bottom: 0.5pt solid #888; padding: 1mm 1.5mm; text-align: left;
         vertical-align: top; }
th { background: #e8e8e8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 3mm 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #333; }
.banner { border: 1.5pt solid #000; background: #fff3c4; font-weight: bold; padding: 1.5mm 3mm;
          margin: 2mm 0; }
.lead { font-size: 11pt; }
.small { font-size: 8.5pt; color: #333; }
.group { break-before: page; page-break-before: always; }
.group:first-of-type { break-before: auto; page-break-before: auto; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
@media print { body { padding: 0; } }
"""


def esc(text: object) -> str:
    """Text from anywhere, safe inside HTML and its attributes."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class GroupBrief:
    """What the brief says of one group: its ranking, robustness, value and charts."""

    ranking: RankingRecord
    robustness: Sequence[str]
    values: Sequence[ValueRecord] = ()
    charts: Sequence[tuple[str, str]] = ()  # (caption, SVG text)
    value_charts: Sequence[tuple[str, str]] = ()  # one a value record, ("", "") for none
    criteria_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """What the brief was made from: files and their SHA-256, the simulation, the tool."""

    inputs: Sequence[tuple[str, str, str]]  # (role, file, SHA-256)
    digest: str
    samples: int
    seed: int
    command_line: str = ""


@dataclass(frozen=True)
class Brief:
    """The whole brief: groups, the combination across them (if asked), provenance."""

    title: str
    groups: Sequence[GroupBrief]
    provenance: Provenance
    combination: CombineRecord | None = None
    combination_charts: Sequence[tuple[str, str]] = ()

    @property
    def illustrative(self) -> bool:
        """Whether any group's scores are invented."""
        return any(g.ranking["illustrative"] for g in self.groups) or bool(
            self.combination and self.combination["illustrative"]
        )


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    def cell(tag: str, k: int, text: str) -> str:
        klass = ' class="n"' if k in numeric else ""
        return f"<{tag}{klass}>{text}</{tag}>"

    top = "".join(cell("th", k, esc(h)) for k, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(cell("td", k, v) for k, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _figure(caption: str, svg: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


# A brief is read on paper: its tables list a page's worth of options (as many as a chart
# draws), the first by rank or, for value for money, those on the frontier and the status quo,
# and say what is left.
BRIEF_ROWS = SHOWN_BARS


def _more(shown: int, total: int, what: str, command: str) -> str:
    """The line under a cut table: how many options it leaves out and where they are."""
    if shown >= total:
        return ""
    return (
        f'<p class="small">{total - shown:,} more {what} not listed here (of {total:,}): '
        f"<code>{esc(command)}</code> lists every one.</p>"
    )


def _shortlist(group: GroupBrief) -> str:
    record = group.ranking
    tops = list(dict.fromkeys(record["criterion_of"].values()))
    names = group.criteria_names
    scale = record["scale"]
    head = ["Rank", "Option", f"Total ({scale['min']:g} to {scale['max']:g})"]
    head += [names.get(c, c) for c in tops]
    rows = [
        [
            str(o["rank"]),
            esc(o["name"]) + (" <em>(status quo)</em>" if o["status_quo"] else ""),
            f"{o['total']:.2f}",
            *(f"{o['contributions'].get(c, 0.0):.2f}" for c in tops),
        ]
        for k, o in enumerate(record["options"])
        if k < BRIEF_ROWS or o["status_quo"]
    ]
    numeric = {0, 2, *range(3, 3 + len(tops))}
    note = (
        '<p class="small">Total: the sum over sub-criteria of weight x score, on the scoring '
        "scale; the criterion columns are its parts (contributions) and add up to it.</p>"
    )
    more = _more(len(rows), len(record["options"]), "ranked options", "appraise rank")
    return _table(head, rows, numeric) + more + note


def _set_aside(record: RankingRecord) -> str:
    rows = []
    for kind, items in (
        ("screened out by a gate", record["screened_out"]),
        ("left out", record["excluded"]),
        ("rejected", record["rejected"]),
    ):
        for item in items:
            total = "" if item["total"] is None else f"{item['total']:.2f}"
            rows.append([esc(item["name"]), esc(kind), total, esc(item["reason"])])
    if not rows:
        return ""
    table = _table(["Option", "Set aside", "Total", "Reason"], rows, {2})
    return "<h3>Options set aside</h3>" + table


def _voices(record: RankingRecord) -> str:
    names = {o["id"]: o["name"] for o in record["options"]}
    names.update({o["id"]: o["name"] for o in record["screened_out"]})
    dissent = [
        f"<li>{esc(o['name'])}: {esc(d)}</li>" for o in record["options"] for d in o["dissent"]
    ]
    interests = [
        f"<li>{esc(s['name'] or s['id'])}"
        + (f" ({esc(s['role'])})" if s["role"] else "")
        + f" in {esc(names.get(option, option))}: {esc(text or 'declared')}</li>"
        for s in record["scorers"]
        for option, text in s["interests"].items()
    ]
    out = ""
    if dissent:
        out += "<h3>Dissent recorded</h3><ul>" + "".join(dissent) + "</ul>"
    if interests:
        how = (
            "left out of the options concerned"
            if record["exclude_conflicted"]
            else "counted; --exclude-conflicted leaves them out"
        )
        out += f"<h3>Declared interests (their scores {esc(how)})</h3><ul>"
        out += "".join(interests) + "</ul>"
    return out


def _value(record: ValueRecord) -> str:
    names = {o["id"]: o["name"] for o in record["options"]}
    unit = record["unit"]
    head = [
        "Option",
        f"{record['cost'].capitalize()} ({unit})",
        f"Benefit ({record['benefit_is']})",
        "Per point",
        "On the frontier",
    ]
    if record["smaa"] is not None:
        head.append("Draws on it")
    rows = []
    listed = [
        o
        for o in record["options"]
        if len(record["options"]) <= BRIEF_ROWS or o["frontier"] or o["status_quo"]
    ]
    for o in listed:
        by = o["dominated_by"]
        row = [
            esc(o["name"]),
            f"{o['cost']:,.2f}",
            f"{o['benefit']:.2f}",
            "" if o["cost_per_point"] is None else f"{o['cost_per_point']:,.2f}",
            "yes" if o["frontier"] else f"no: {esc(names[by or ''])} beats it",
        ]
        if record["smaa"] is not None:
            share = o["frontier_share"]
            row.append("" if share is None else f"{100 * share:.0f}%")
        rows.append(row)
    sentences = "".join(f"<p>{esc(s)}</p>" for s in record["summary"])
    draws = (
        " Draws on it: the share of random weightings under which the option is on the frontier."
        if record["smaa"] is not None
        else ""
    )
    legend = (
        f'<p class="small">Per point: {esc(record["cost_per_point_is"])}, in {esc(unit)}.'
        f"{draws} Weights: {esc(weights_text(record))}.</p>"
    )
    steps = [
        [
            f"{esc(names[s['start']])} → {esc(names[s['to']])}",
            f"{s['extra_cost']:,.2f}",
            f"{s['extra_benefit']:+.2f}",
            "" if s["cost_per_point"] is None else f"{s['cost_per_point']:,.2f}",
        ]
        for s in record["steps"]
    ]
    head_steps = ["Step", f"Extra {unit}", "Extra points", f"{unit} an extra point"]
    step_table = (
        "<h3>Up the frontier: what each extra point costs</h3>"
        + _table(head_steps, steps, {1, 2, 3})
        if steps
        else ""
    )
    more = _more(len(listed), len(record["options"]), "options, all dominated,", "appraise value")
    return (
        f"<h3>Value for money: {esc(record['cost'])}</h3>"
        + _table(head, rows, {1, 2, 3, 5})
        + more
        + legend
        + step_table
        + sentences
    )


def _group(group: GroupBrief) -> str:
    record = group.ranking
    parts = [f'<section class="group" id="group-{esc(record["group"])}">']
    parts.append(f"<h2>{esc(record['name'])}</h2>")
    if record["illustrative"]:
        parts.append(f'<p class="banner">{esc(ILLUSTRATIVE)}</p>')
    if record["options"]:
        leader = record["options"][0]
        parts.append(
            f'<p class="lead">Preferred on the weighted criteria: <strong>'
            f"{esc(leader['name'])}</strong>, total {leader['total']:.2f}.</p>"
        )
    parts.append("<h3>Shortlist</h3>" + _shortlist(group))
    if group.robustness:
        parts.append("<h3>How robust</h3>")
        parts += [f"<p>{esc(s)}</p>" for s in group.robustness]
    parts += [_figure(caption, svg) for caption, svg in group.charts]
    parts.append(_set_aside(record))
    parts.append(_voices(record))
    charts = list(group.value_charts) or [("", "")] * len(group.values)
    for value, (caption, svg) in zip(group.values, charts, strict=True):
        parts.append(_value(value))
        if svg:
            parts.append(_figure(caption, svg))
    weights = record["weight_set"] or "the criteria file's own weights"
    parts.append(
        f'<p class="small">Scores: {esc(record["file"])}; criteria: {esc(record["criteria"])}, '
        f"weighted by {esc(weights)}; {len(record['scorers']) or 'consensus'} "
        f"{'scorers' if record['scorers'] else 'scores'}.</p>"
    )
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _combination(brief: Brief) -> str:
    record = brief.combination
    if record is None:
        return ""
    parts = ['<section class="group" id="combination">', "<h2>Across the groups</h2>"]
    parts += [f"<p>{esc(s)}</p>" for s in record["summary"]]
    rows = [
        [esc(e["group"]), esc(e["name"]), f"{e['total']:.2f}", esc("; ".join(e["forced_by"]))]
        for e in record["explanation"]
    ]
    parts.append("<h3>The preferred combination</h3>")
    parts.append(_table(["Group", "Choice", "Total", "Forced by"], rows, {2}))
    rules = [
        f"<li>{esc(rule['kind'])}: {esc(', '.join(rule['refs']))}"
        + (f" ({esc(rule['note'])})" if rule["note"] else "")
        + "</li>"
        for rule in record["rules"]
    ]
    if rules:
        parts.append("<h3>The rules that shaped it</h3><ul>" + "".join(rules) + "</ul>")
    parts += [_figure(caption, svg) for caption, svg in brief.combination_charts]
    parts.append("</section>")
    return "\n".join(parts)


METHOD = (
    "Each working group's options were scored against the weighted evaluation criteria "
    "(Quality, Affordability, Sustainability, Deliverability and their sub-criteria). An "
    "option's total is the sum, over the sub-criteria, of the sub-criterion's global weight "
    "times the option's score (the mean of the panel's scores unless stated), on the scoring "
    "scale. Robustness is tested three ways: the weight each criterion would need before "
    "another option led (exact thresholds); the ranking under each named weight set; and a "
    "simulation drawing many sets of weights at random (SMAA), counting how often each option "
    "comes first. Costs never enter a total: where options give costs, each option's benefit "
    "(its total) is set against one cost figure, and the options no other beats on both "
    "benefit and cost form the efficient frontier."
)


def _provenance(brief: Brief) -> str:
    p = brief.provenance
    rows = [[esc(role), esc(name), f"<code>{esc(sha)}</code>"] for role, name, sha in p.inputs]
    rows.append(["all inputs", "SHA-256 of the lines above", f"<code>{esc(p.digest)}</code>"])
    facts = (
        f"<p class='small'>Made by appraise {esc(__version__)}; simulations: "
        f"{p.samples:,} draws, seed {p.seed}"
        + (f"; command: <code>{esc(p.command_line)}</code>" if p.command_line else "")
        + ". The same inputs, version and seed give the same brief.</p>"
    )
    return (
        '<section id="method"><h2>Method</h2>'
        f"<p>{esc(METHOD)}</p><h2>Provenance</h2>"
        + _table(["Role", "File", "SHA-256"], rows, set())
        + facts
        + "</section>"
    )


def brief_html(brief: Brief) -> str:
    """The brief as one HTML document, every style and chart inside it."""
    banner = f'@top-center {{ content: "{ILLUSTRATIVE}"; font-size: 8pt; font-weight: bold; }}'
    css = CSS.replace("/*BANNER*/", banner if brief.illustrative else "")
    top = f'<p class="banner">{esc(ILLUSTRATIVE)}</p>' if brief.illustrative else ""
    contents = "".join(
        f'<li><a href="#group-{esc(g.ranking["group"])}">{esc(g.ranking["name"])}</a></li>'
        for g in brief.groups
    )
    if brief.combination is not None:
        contents += '<li><a href="#combination">Across the groups</a></li>'
    contents += '<li><a href="#method">Method and provenance</a></li>'
    body = "\n".join(
        [
            f"<h1>{esc(brief.title)}</h1>",
            top,
            f"<ol>{contents}</ol>",
            *(_group(g) for g in brief.groups),
            _combination(brief),
            _provenance(brief),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{esc(brief.title)}</title><style>{css}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
