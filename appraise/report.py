"""Results as plain records, and the pure string formats: JSON, CSV, Markdown.

``render.py`` draws rich tables from the same records, so every format shows the same numbers.
Records keep full precision; only the table and Markdown views round for display.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, overload

from appraise.analysis.scoring import Disagreement, Ranking, SetAside
from appraise.data import CriteriaTree
from appraise.errors import Problem
from appraise.model import OptionSpec
from appraise.safe_text import csv_text, escape_invisible, markdown_text
from appraise.weights import (
    display_percentages,
    exact,
    exact_global_percent,
    printed_discrepancies,
    round_half_up,
    sums_to_100,
)

Record = dict[str, Any]

# The status shown for the status quo when ``--status`` ranks other statuses only: it stays as
# the comparator, and must not read as one of the statuses asked for.
KEPT_FOR_COMPARISON = "status quo (kept for comparison)"


def _set_aside(item: SetAside, spec: OptionSpec) -> Record:
    record: Record = {
        "id": item.id,
        "name": item.name,
        "reason": item.reason,
        "total": item.total,
        "status_quo": spec.status_quo,
        "status": spec.status,
    }
    if item.gate_failures:
        record["gates"] = [
            {"gate": g.gate, "name": g.name, "reason": g.reason} for g in item.gate_failures
        ]
    return record


def _register(option: OptionSpec) -> Record:
    """An option's register entry and the panel's notes on it: status, milestones, dissent."""
    return {
        "status": option.status,
        "status_reason": option.status_reason,
        "milestones": dict(option.milestones),
        "notes": option.notes,
        "dissent": list(option.dissent),
    }


def ranking_record(ranking: Ranking, top: int | None = None) -> Record:
    """One score file's ranking as the JSON object of CONTRACT 3 (plus context keys)."""
    sheet = ranking.sheet
    options = ranking.options if top is None else ranking.options[:top]
    option_names = {o.id: o.name for o in sheet.options}
    specs = {o.id: o for o in sheet.spec.options}
    return {
        "group": sheet.group,
        "name": sheet.spec.name,
        "file": sheet.path,
        "criteria": sheet.tree.path,
        "illustrative": sheet.illustrative,
        "round": sheet.spec.round,
        "level": "sub-criteria" if sheet.leaf_ids != sheet.tree.top_ids else "criteria",
        "scale": {"min": sheet.scale.min, "max": sheet.scale.max},
        "scorers": _scorers(ranking),
        "aggregate": ranking.aggregate if sheet.per_scorer else None,
        "weight_set": ranking.weight_set,
        "exclude_conflicted": bool(ranking.settings and ranking.settings.exclude_conflicted),
        "statuses": list(ranking.settings.statuses) if ranking.settings else [],
        # ranked as the comparator although its status is not among ``statuses``
        "status_quo_kept": any(o.kept_for_comparison for o in ranking.options),
        "weights": ranking.weights,
        "criterion_of": {leaf: sheet.tree.parent(leaf) for leaf in sheet.leaf_ids},
        "status_quo_rank": next((o.rank for o in ranking.options if o.status_quo), None),
        "options": [
            {
                "id": o.id,
                "name": o.name,
                "rank": o.rank,
                "total": o.total,
                "contributions": o.contributions,
                "status_quo": o.status_quo,
                **_register(specs[o.id]),
                **({"status": KEPT_FOR_COMPARISON} if o.kept_for_comparison else {}),
            }
            for o in options
        ],
        "screened_out": [_set_aside(s, specs[s.id]) for s in ranking.screened_out],
        "excluded": [_set_aside(e, specs[e.id]) for e in ranking.excluded],
        "rejected": [_set_aside(r, specs[r.id]) | _register(specs[r.id]) for r in ranking.rejected],
        "disagreements": LazyList(
            len(ranking.disagreements),
            lambda k: _disagreement(ranking.disagreements[k], option_names),
        ),
        "spread": _spread(ranking),
        "notes": list(ranking.notes),
    }


def _disagreement(d: Disagreement, option_names: Mapping[str, str]) -> Record:
    return {
        "option": d.option,
        "name": option_names.get(d.option, d.option),
        "criterion": d.leaf,
        "n": d.n,
        "min": d.low,
        "max": d.high,
        "weight": d.weight,
    }


def _scorers(ranking: Ranking) -> list[Record]:
    sheet = ranking.sheet
    if not sheet.per_scorer:
        return []
    out = []
    for scorer in sheet.scorer_ids:
        info = sheet.spec.scorers.get(scorer)
        out.append(
            {
                "id": scorer,
                "name": info.name if info else None,
                "role": info.role if info else None,
                "organisation": info.organisation if info else None,
                "interests": dict(info.interests) if info else {},
            }
        )
    return out


def _spread(ranking: Ranking) -> Mapping[str, Mapping[str, Record]]:
    """Per option and leaf: scorers, lowest, highest, sample standard deviation.

    Made option by option as it is written (``LazyRows``): a million cells are never all held.
    """
    spread, sheet = ranking.spread, ranking.sheet
    if spread is None or not sheet.per_scorer:
        return {}
    index = {option.id: i for i, option in enumerate(sheet.options)}
    leaves = list(enumerate(sheet.leaf_ids))

    def cells(option: str) -> dict[str, Record]:
        i = index[option]
        n, low, high, std = (a[i].tolist() for a in (spread.n, spread.low, spread.high, spread.std))
        return {
            leaf: {"n": n[j], "min": low[j], "max": high[j], "sd": std[j]}
            for j, leaf in leaves
            if n[j]
        }

    return LazyRows(list(index), cells)


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def trim_float(value: float) -> float:
    """``value`` to 12 significant digits, so float noise (34.69200000000001) reads 34.692.

    For CSV and Markdown rows; JSON keeps full precision. Twelve digits keep every figure a
    score sheet can mean, and drop the last few bits that sums leave behind; what cancels to
    below 1e-12 (0.15 + 0.3 - 0.45) is 0.
    """
    return 0.0 if abs(value) < 1e-12 else float(f"{value:.12g}")  # 5.6e-17 is a zero


# Lists of options kept out of the ranking, with the words a CSV row uses for each.
SET_ASIDE = (
    ("screened_out", "screened out by a gate"),
    ("excluded", "excluded: missing scores"),
    ("rejected", "rejected"),
)


def ranking_rows(records: Sequence[Record], set_aside: bool = True) -> list[Record]:
    """Flat rows for CSV and Markdown: the ranked options, then every option set aside.

    Flags are written "yes" or blank in every format, and each row says whether its scores are
    illustrative, so a CSV row copied on its own still carries the warning. An option screened
    out by a gate, excluded for missing scores or rejected in the register follows the ranked
    ones with no rank, its total where it has one, and ``set_aside`` and ``reason`` saying which
    list it is in and why: no option is silently dropped. ``set_aside=False`` leaves those rows
    and columns out, for a view that lists them apart (``ranking_markdown``).
    """
    rows = []
    for record in records:
        for option in record["options"]:
            row = {
                "group": record["group"],
                "rank": option["rank"],
                "id": option["id"],
                "name": option["name"],
                "total": trim_float(option["total"]),
                "status_quo": _yes(option["status_quo"]),
                "status": option.get("status") or "",
                "illustrative": _yes(record["illustrative"]),
            }
            row.update({c: trim_float(v) for c, v in option["contributions"].items()})
            if set_aside:
                row.update(set_aside="", reason="")
            rows.append(row)
        if set_aside:
            rows += [
                {
                    "group": record["group"],
                    "rank": "",
                    "id": item["id"],
                    "name": item["name"],
                    "total": "" if item["total"] is None else trim_float(item["total"]),
                    "status_quo": _yes(item.get("status_quo", False)),
                    "status": item.get("status") or "",
                    "illustrative": _yes(record["illustrative"]),
                    "set_aside": label,
                    # A rejection's reason is the register's; "rejected: " would say it twice.
                    "reason": item.get("status_reason") or item["reason"],
                }
                for key, label in SET_ASIDE
                for item in record.get(key, [])
            ]
    return rows


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}"


def criteria_record(tree: CriteriaTree) -> Record:
    """The criteria tree with weights as entered, local and global per cent, and printed checks."""
    spec = tree.spec
    exact_global = exact_global_percent(tree)
    leaf_ids = list(tree.leaf_ids)
    leaf_display = dict(
        zip(leaf_ids, display_percentages([exact_global[i] for i in leaf_ids]), strict=True)
    )
    top_display = dict(
        zip(tree.top_ids, display_percentages([exact_global[i] for i in tree.top_ids]), strict=True)
    )
    top_sum = sum((exact(c.weight) for c in spec.criteria), Fraction(0))
    rows: list[Record] = []
    for criterion in spec.criteria:
        subs = criterion.sub or []
        family_sum = sum((exact(s.weight) for s in subs), Fraction(0))
        rows.append(
            {
                "id": criterion.id,
                "name": criterion.name,
                "level": "criterion",
                "parent": None,
                "weight": criterion.weight,
                "local_percent": float(100 * exact(criterion.weight) / top_sum),
                # A top-level criterion's local share is its global share: one figure, shown
                # one way (three thirds read 33.4, 33.3, 33.3 in both columns, adding to 100.0).
                "local_display": _pct(top_display[criterion.id]),
                "global_percent": float(exact_global[criterion.id]),
                "global_display": _pct(top_display[criterion.id]),
                "printed_global": None,
                "printed_differs": False,
                "rescaled": bool(subs) and not sums_to_100(family_sum),
            }
        )
        local_display = (
            display_percentages([100 * exact(s.weight) / family_sum for s in subs])
            if family_sum
            else []
        )
        for sub, local in zip(subs, local_display, strict=True):
            differs = by_rescaling = False
            if sub.printed_global is not None:
                decimals = len(repr(sub.printed_global).partition(".")[2])
                printed = Decimal(repr(sub.printed_global))
                differs = round_half_up(exact_global[sub.id], decimals) != printed
                # The printed A*B figure matches the weights as entered: only rescaling moved it.
                as_entered = exact(criterion.weight) * exact(sub.weight) / 100
                by_rescaling = differs and round_half_up(as_entered, decimals) == printed
            rows.append(
                {
                    "id": sub.id,
                    "name": sub.name,
                    "level": "sub-criterion",
                    "parent": criterion.id,
                    "weight": sub.weight,
                    "local_percent": float(100 * exact(sub.weight) / family_sum),
                    "local_display": _pct(local),
                    "global_percent": float(exact_global[sub.id]),
                    "global_display": _pct(leaf_display[sub.id]),
                    "printed_global": sub.printed_global,
                    "printed_differs": differs,
                    "printed_differs_by_rescaling": by_rescaling,
                }
            )
    return {
        "title": spec.title,
        "source": spec.source,
        "file": tree.path,
        "criteria": rows,
        "top_rescaled": not sums_to_100(top_sum),
        "weight_sets": {k: dict(v) for k, v in spec.weight_sets.items()},
        "gates": [{"id": g.id, "name": g.name} for g in spec.gates],
        "discrepancies": [
            {"where": d.where, "message": d.message} for d in printed_discrepancies(spec)
        ],
        "notes": list(tree.notes),
    }


def rescaling_notes(record: Record) -> list[str]:
    """One line per row whose printed figure differs only because a family was rescaled.

    Such a row is not among the discrepancies (its printed figure matches the weights as
    entered), so the tables say why it is marked.
    """
    names = {r["id"]: r["name"] for r in record["criteria"]}
    rescaled = {r["id"] for r in record["criteria"] if r.get("rescaled")}
    notes = []
    for row in record["criteria"]:
        if not row.get("printed_differs_by_rescaling"):
            continue
        what = ["the top-level criteria"] if record.get("top_rescaled") else []
        if row["parent"] in rescaled:
            what.append(names[row["parent"]])
        printed = Decimal(repr(row["printed_global"]))
        notes.append(
            f"{row['id']}: {printed} printed; {row['global_display']} after rescaling "
            f"{' and '.join(what)} to 100"
        )
    return notes


def problem_record(problem: Problem) -> Record:
    """One validation finding."""
    return {
        "file": problem.path,
        "where": problem.where,
        "severity": problem.severity,
        "message": problem.message,
    }


def _row_encoder(ascii_only: bool) -> Callable[[Any], str]:
    """Compact JSON of one plain row, by the C encoder made once.

    ``JSONEncoder.encode`` builds the encoder again on every call, which dominates when there
    are a million rows.
    """
    escape = json.encoder.encode_basestring_ascii if ascii_only else json.encoder.encode_basestring
    make = getattr(json.encoder, "c_make_encoder", None)  # CPython's, not in typeshed
    if make is None:  # no C accelerator (another Python): the same text, more slowly
        return json.JSONEncoder(ensure_ascii=ascii_only, allow_nan=False).encode

    def unknown(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    iterencode = make(None, unknown, escape, None, ": ", ", ", False, False, False)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return escape(value)
        return "".join(iterencode(value, 0))

    return encode


_ENCODE = _row_encoder(ascii_only=False)
_ENCODE_ASCII = _row_encoder(ascii_only=True)
_CHUNK = 1 << 16  # characters gathered before a piece of JSON is handed on


def to_json(data: Any, ascii_only: bool = False) -> str:
    """Full-precision JSON, indented, with each list or mapping of plain values on one line.

    The whole of ``iter_json``; see there.
    """
    return "".join(iter_json(data, ascii_only))


def iter_json(data: Any, ascii_only: bool = False) -> Iterator[str]:
    """``to_json``'s text in pieces of about 64 K characters, for writing as it is made.

    ``json.dumps`` with ``indent`` runs in pure Python, about ten times slower than its compact
    C encoder; here only the nesting is written in Python and every innermost row goes through
    the C encoder, so a ranking of thousands of options (with spreads per cell) is written in a
    few seconds, and reads as one line per option, criterion or cell. Nothing beyond the
    current piece is held: a 200 MB document is written in bounded memory, its largest parts
    (``LazyRows``, ``LazyList``) made row by row as they are written.

    Args:
        data: Records: mappings, lists and plain values.
        ascii_only: Write every character beyond ASCII as a JSON escape (e for e-acute is
            written u00e9 after a backslash), for a stream that cannot encode it; the JSON
            reads back the same.

    Raises:
        NonFiniteNumber: A NaN or infinity in ``data``: JSON has no such numbers, and
            validation makes every figure finite, so this is a bug; the message says where.
    """
    encode = _ENCODE_ASCII if ascii_only else _ENCODE
    out: list[str] = []
    size = 0
    try:
        for piece in _encode(data, "\n", encode):
            out.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                yield _safe_piece(out)
                out, size = [], 0
    except ValueError:
        where = _non_finite(data, "")
        if where is None:
            raise
        raise NonFiniteNumber(*where) from None
    yield _safe_piece(out)


def _safe_piece(pieces: list[str]) -> str:
    # JSON escapes C0 controls itself; C1 controls and the invisible formatting characters
    # (bidi overrides, zero-width spaces) it writes raw. They only ever stand inside strings
    # (JSON's own syntax is ASCII), so escaping them keeps the document valid and equal.
    return escape_invisible("".join(pieces))


class LazyRows(Mapping[str, Any]):
    """A mapping whose values are made when asked for: rows by the million, never all held.

    ``keys`` are known; ``row(key)`` makes the value. ``iter_json`` writes it like a dict.
    """

    def __init__(self, keys: Sequence[str], row: Callable[[str], Any]) -> None:
        self._keys = keys
        self._index = {key: n for n, key in enumerate(keys)}
        self._row = row

    def __getitem__(self, key: str) -> Any:
        if key not in self._index:
            raise KeyError(key)
        return self._row(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class LazyList(Sequence[Any]):
    """A list whose items are made when read: rows by the million, never all held.

    ``item(k)`` makes item ``k``; ``iter_json`` writes it like a list.
    """

    def __init__(self, length: int, item: Callable[[int], Any]) -> None:
        self._length = length
        self._item = item

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._item(k) for k in range(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return self._item(index % self._length)

    def __iter__(self) -> Iterator[Any]:
        return map(self._item, range(self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyList({self._length} items)"


class NonFiniteNumber(ValueError):
    """A figure to be written as JSON is NaN or infinite: a bug, since validation bounds inputs."""

    def __init__(self, where: str, value: float) -> None:
        super().__init__(
            f"internal error: {where or 'the value'} is {value}, which JSON cannot hold; "
            "appraise validates its inputs so that this cannot happen: please report it"
        )


def _non_finite(value: Any, where: str) -> tuple[str, float] | None:
    """The path (``options[0].total``) and value of the first NaN or infinity in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    items: Any = ()
    if isinstance(value, Mapping):
        items = ((f"{where}.{key}" if where else str(key), v) for key, v in value.items())
    elif isinstance(value, _SEQUENCES):
        items = ((f"{where}[{n}]", v) for n, v in enumerate(value))
    return next((found for path, v in items if (found := _non_finite(v, path))), None)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_MAPPINGS = (dict, LazyRows)
_SEQUENCES = (list, tuple, LazyList)
_NESTED = _MAPPINGS + _SEQUENCES


def _encode(value: Any, newline: str, encode: Callable[[Any], str]) -> Iterator[str]:
    """``value``'s JSON: containers of containers spread over lines, plain rows on one."""
    if _is_plain(value):
        yield encode(_concrete(value))
    else:
        yield from _nested(value, newline, encode)


def _nested(value: Any, newline: str, encode: Callable[[Any], str]) -> Iterator[str]:
    """A container known to hold containers: one line per item, rows written whole."""
    inner = newline + "  "
    sep = inner
    if isinstance(value, _MAPPINGS):
        yield "{"
        for key, item in value.items():
            name = encode(key if type(key) is str else _key(key))
            if _is_plain(item):  # the common case, a row: written here, no deeper call
                yield f"{sep}{name}: {encode(_concrete(item))}"
            else:
                yield f"{sep}{name}: "
                yield from _nested(item, inner, encode)
            sep = "," + inner
        yield newline + "}"
    else:
        yield "["
        for item in value:
            if _is_plain(item):
                yield sep + encode(_concrete(item))
            else:
                yield sep
                yield from _nested(item, inner, encode)
            sep = "," + inner
        yield newline + "]"


def _concrete(value: Any) -> Any:
    if type(value) is LazyRows:
        return dict(value)
    return list(value) if type(value) is LazyList else value


def _key(key: Any) -> str:
    """A mapping key as ``json.dumps`` writes it: text as is, others in their JSON spelling."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return _ENCODE(key)
    raise TypeError(f"a JSON key must be text or a number, not {key!r}")


def _is_plain(value: Any) -> bool:
    """Whether ``value`` is written on one line.

    A scalar, an empty container, or a container of scalars and empty containers (a row).
    """
    if type(value) in _SCALARS:
        return True
    if isinstance(value, _MAPPINGS):
        values: Any = value.values()
    elif isinstance(value, _SEQUENCES):
        values = value
    else:
        return True  # not JSON at all: the encoder names it
    for item in values:
        if type(item) not in _SCALARS and isinstance(item, _NESTED) and item:
            return False
    return True


def to_csv(rows: Sequence[Record]) -> str:
    """Rows as CSV with a header taken from every key seen, in order of first appearance.

    Text a spreadsheet would run as a formula (``=cmd|...``) starts with ``'`` (``csv_text``).
    """
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: csv_text(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return markdown_text(value)


def to_markdown(rows: Sequence[Record], digits: int = 2, right: Collection[str] = ()) -> str:
    """Rows as a GitHub-flavoured Markdown table (floats shown to ``digits`` places).

    Numeric columns are right-aligned, and so are the ``right`` columns: numbers already
    written as text (with thousands separators, say).
    """
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    numeric = {
        c
        for c in columns
        if all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows)
    } | set(right)
    lines = [
        "| " + " | ".join(markdown_text(c) for c in columns) + " |",
        "| " + " | ".join("---:" if c in numeric else "---" for c in columns) + " |",
    ]
    lines += [
        "| " + " | ".join(_cell(row.get(c, ""), digits) for c in columns) + " |" for row in rows
    ]
    return "\n".join(lines) + "\n"


def context_text(record: Record) -> str:
    """One line saying what a ranking was computed from: criteria, level, round, panel, weights."""
    bits = [f"Criteria: {record['criteria']}", f"scored against {record['level']}"]
    if record["round"]:
        bits.append(f"round '{record['round']}'")
    if record["scorers"]:
        bits.append(f"{len(record['scorers'])} scorers, {record['aggregate']} per cell")
    else:
        bits.append("consensus scores")
    if record["weight_set"]:
        bits.append(f"weight set '{record['weight_set']}'")
    if record.get("exclude_conflicted"):
        bits.append("conflicted scores left out")
    if record.get("statuses"):
        bits.append(
            f"status {' or '.join(record['statuses'])} only"
            + (", and the status quo for comparison" if record.get("status_quo_kept") else "")
        )
    return "; ".join(bits)


def ranking_markdown(records: Sequence[Record]) -> str:
    """Each group's ranking as a Markdown section: heading, table, what was set aside, notes."""
    sections = []
    for record in records:
        label = " (illustrative scores)" if record["illustrative"] else ""
        lines = [f"## {markdown_text(record['name'])} ({record['group']}){label}", ""]
        lines += [f"_{markdown_text(context_text(record))}._", ""]
        lines.append(to_markdown(ranking_rows([record], set_aside=False)))
        for key, title in (
            ("screened_out", "Screened out by a gate"),
            ("excluded", "Excluded for missing scores"),
            ("rejected", "Rejected (option register)"),
        ):
            if record[key]:
                lines.append(f"**{title}:**\n")
                lines += [_set_aside_line(item) for item in record[key]]
                lines.append("")
        dissent = [
            f"- {markdown_text(o['name'])}: {markdown_text(text)}"
            for o in record["options"]
            for text in o.get("dissent", [])
        ]
        if dissent:
            lines += ["**Dissent recorded:**", "", *dissent, ""]
        if record["notes"]:
            lines += ["**Notes:**", "", *(f"- {markdown_text(note)}" for note in record["notes"])]
            lines.append("")
        sections.append("\n".join(lines))
    return "\n".join(sections)


def _set_aside_line(item: Record) -> str:
    """A Markdown bullet for an option set aside: name, id, total (as the table shows), why."""
    total = "" if item["total"] is None else f", total {item['total']:.2f}"
    return f"- {markdown_text(item['name'])} ({item['id']}){total}: {markdown_text(item['reason'])}"


def criteria_rows(record: Record) -> list[Record]:
    """The criteria tree as flat rows (CSV): one per criterion and sub-criterion.

    Flags are "yes" or blank, as in ``ranking_rows``; numbers lose their float noise.
    """
    return [
        {
            key: _yes(value)
            if isinstance(value, bool)
            else trim_float(value)
            if isinstance(value, float)
            else value
            for key, value in row.items()
        }
        for row in record["criteria"]
    ]


def criteria_markdown(record: Record) -> str:
    """The criteria tree as a Markdown table with its discrepancies listed."""
    rows = [
        {
            "criterion": r["name"] if r["level"] == "criterion" else f"- {r['name']}",
            "id": r["id"],
            "weight": r["weight"],
            "global %": r["global_display"],
            "printed A*B": ""
            if r["printed_global"] is None
            else f"{r['printed_global']:g}" + (" (differs)" if r["printed_differs"] else ""),
        }
        for r in record["criteria"]
    ]
    text = f"## {markdown_text(record['title'])}\n\n" + to_markdown(rows, digits=1)
    rescaling = rescaling_notes(record)
    if rescaling:
        text += (
            "\nPrinted figures that differ only because weights were rescaled to 100:\n\n"
            + "\n".join(f"- {note}" for note in rescaling)
            + "\n"
        )
    if record["discrepancies"]:
        text += (
            "\nPrinted figures that do not reconcile:\n\n"
            + "\n".join(f"- {d['where']}: {d['message']}" for d in record["discrepancies"])
            + "\n"
        )
    return text
