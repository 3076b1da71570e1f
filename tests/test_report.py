"""Records and their views: flat rows, rescaling notes, and the rich tables drawn from them."""

from __future__ import annotations

import io
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from appraise.cli import app
from appraise.present import formats, ranking, terminal
from appraise.present.terminal.sensitivity import _strip
from appraise.present.terminal.tables import stacked_bar

NAMES = {
    "quality": "Quality",
    "affordability": "Affordability",
    "sustainability": "Sustainability",
    "deliverability": "Deliverability",
}


def _bundled_record() -> formats.Record:
    result = CliRunner().invoke(app, ["rank", "-f", "json"])
    assert result.exit_code == 0
    record: formats.Record = json.loads(result.stdout)
    return record


def _draw(renderable: object, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return buffer.getvalue()


def test_ranking_rows_flags_are_yes_or_blank():
    record = {
        "group": "g",
        "illustrative": False,
        "options": [
            {
                "id": "a",
                "name": "A",
                "rank": 1,
                "total": 2.0,
                "status_quo": False,
                "contributions": {"c": 2.0},
            },
            {
                "id": "b",
                "name": "B",
                "rank": 2,
                "total": 1.0,
                "status_quo": True,
                "contributions": {"c": 1.0},
            },
        ],
    }
    rows = ranking.ranking_rows([record, {**record, "group": "h", "illustrative": True}])
    assert [(r["group"], r["status_quo"], r["illustrative"]) for r in rows] == [
        ("g", "", ""),
        ("g", "yes", ""),
        ("h", "", "yes"),
        ("h", "yes", "yes"),
    ]
    assert list(rows[0]) == [
        "group",
        "rank",
        "id",
        "name",
        "total",
        "status_quo",
        "status",
        "illustrative",
        "c",
        "set_aside",
        "reason",
    ]


def test_rank_table_uses_full_criterion_names_at_120_columns():
    record = _bundled_record()
    total = len(record["options"])
    wide = _draw(terminal.ranking_table(record, NAMES, total, width=120), 120)
    header = next(line for line in wide.splitlines() if line.startswith("Rank"))
    for name in NAMES.values():
        assert name in header
    assert max(len(line) for line in wide.splitlines()) <= 120
    middling = _draw(terminal.ranking_table(record, NAMES, total, width=116), 116)
    header = next(line for line in middling.splitlines() if line.startswith("Rank"))
    assert "Affordabili." in header
    assert "Deliverabil." in header
    narrow = _draw(terminal.ranking_table(record, NAMES, total, width=80), 80)
    header = next(line for line in narrow.splitlines() if line.startswith("Rank"))
    assert "Quality" not in header


def test_disagreement_table_shows_option_names():
    record = _bundled_record()
    text = _draw(terminal.ranking_table(record, NAMES, len(record["options"]), width=120), 120)
    far_apart = text.split("Scorers far apart")[1]
    assert "Relocate the MIIU to the PSHFT site" in far_apart
    assert "miiu-to-pshft" not in far_apart


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_to_json_reads_back_as_the_same_data(data):
    assert json.loads(formats.to_json(data)) == data


KEYS = st.one_of(
    st.text(),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(st.recursive(st.integers(), lambda inner: st.dictionaries(KEYS, inner, max_size=3)))
def test_to_json_writes_keys_as_json_dumps_does(data):
    """Nested or not, a key that is not text is spelled as json.dumps spells it (1, true, null)."""
    assert json.loads(formats.to_json(data)) == json.loads(json.dumps(data))


def test_to_json_puts_each_row_of_plain_values_on_one_line():
    data = {"options": [{"id": "a", "total": 2.5, "contributions": {"q": 1.5, "c": 1}}], "x": []}
    assert formats.to_json(data).splitlines() == [
        "{",
        '  "options": [',
        "    {",
        '      "id": "a",',
        '      "total": 2.5,',
        '      "contributions": {"q": 1.5, "c": 1}',
        "    }",
        "  ],",
        '  "x": []',
        "}",
    ]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_to_json_refuses_nan_and_infinity(bad):
    """Issue 14, class 4: the error names where the value is, and says it is a bug."""
    data = {"rows": [{"total": 1.0}, {"id": "x", "total": bad, "parts": [1.0, 2.0]}]}
    with pytest.raises(formats.NonFiniteNumber) as caught:
        formats.to_json(data)
    assert str(caught.value) == (
        f"internal error: rows[1].total is {bad}, which JSON cannot hold; appraise validates "
        "its inputs so that this cannot happen: please report it"
    )
    with pytest.raises(ValueError, match=r"internal error: rows\[0\]\.parts\[1\] is"):
        formats.to_json({"rows": [{"parts": [1.0, bad]}]})


@given(JSON_VALUES)
def test_ascii_only_json_is_ascii_and_reads_back_as_the_same_data(data):
    """Issue 14, class 8: for a stream that cannot encode every character (LANG=C)."""
    text = formats.to_json(data, ascii_only=True)
    assert text.isascii()
    assert json.loads(text) == data


def test_a_bar_is_as_long_as_its_total_even_with_a_negative_part():
    """Scale 1..5 (width 4) on 28 cells. Parts 1.0 + 0.75 = 1.75 above the bottom: 12.25 cells,
    12 drawn. A renormalised option with parts 1.0, -0.25, 1.0 has the same total, so the same
    12 cells (not 14 from drawing 1.0 + 1.0), split evenly between its two positive parts."""
    plain = stacked_bar([1.0, 0.75], 4.0, 28).plain
    renormalised = stacked_bar([1.0, -0.25, 1.0], 4.0, 28).plain
    assert 28 - plain.count("·") == 28 - renormalised.count("·") == 12
    assert len(plain) == len(renormalised) == 28
    assert renormalised == "█" * 6 + "▒" * 6 + "·" * 16  # a fill per criterion; none for -0.25
    lower = stacked_bar([1.0, -0.5, 1.0], 4.0, 28).plain  # 1.5: 10.5 cells, 10 drawn
    assert 28 - lower.count("·") == 10


def _threshold(criterion: str, name: str, level: str) -> dict:
    return {
        "criterion": criterion,
        "name": name,
        "level": level,
        "weight": 0.25,
        "lower": None,
        "upper": 0.5,
        "below": None,
        "above": "y",
    }


def test_a_threshold_table_names_criteria_whole_and_indents_sub_criteria():
    """At 80 columns the names wrap between words, a sub-criterion's lines all indented under
    it; no name is cut ('Impact on pat…' twice would be ambiguous) and none is an id."""
    items = [
        _threshold("quality", "Quality", "criterion"),
        _threshold("safety", "Impact on patient safety and population health", "sub-criterion"),
        _threshold("experience", "Impact on patient experience", "sub-criterion"),
    ]
    rows = _draw(terminal.thresholds_table(items, {}, "T", 80), 80).splitlines()[3:]
    names = [row.split("│")[0].rstrip() for row in rows]
    assert names[0] == "Quality"
    assert all(name.startswith("  ") for name in names[1:])
    assert " ".join(" ".join(names).split()) == (
        "Quality Impact on patient safety and population health Impact on patient experience"
    )
    assert "…" not in "".join(rows)


def test_trim_float_drops_float_noise_and_cancellation():
    assert formats.trim_float(34.69200000000001) == 34.692
    assert formats.trim_float(0.15 + 0.3 - 0.45) == 0.0  # 5.55e-17 before
    assert formats.trim_float(-0.0490882946519) == -0.0490882946519


def test_criteria_record_does_not_call_a_noisy_family_rescaled(write):
    """Three thirds as a script writes them sum to 100 within float noise: nothing rescaled."""
    from appraise.io import load_criteria

    thirds = [33.333333333333336, 33.333333333333336, 33.33333333333333]
    subs = "".join(
        f"      - {{id: s{i}, name: S {i}, weight: {w!r}}}\n" for i, w in enumerate(thirds)
    )
    text = (
        "title: T\ncriteria:\n"
        f"  - id: c0\n    name: C 0\n    weight: {thirds[0]!r}\n    sub:\n{subs}"
        + "".join(
            f"  - {{id: c{i}, name: C {i}, weight: {w!r}}}\n" for i, w in enumerate(thirds) if i
        )
    )
    record = ranking.criteria_record(load_criteria(write("thirds.yaml", text)))
    assert record["top_rescaled"] is False
    assert [r["id"] for r in record["criteria"] if r.get("rescaled")] == []


@pytest.mark.parametrize("weight", [0.7, 0.6999999999999998, 0.7000000000000001])
def test_the_threshold_strip_marks_a_weight_in_its_cell_whatever_the_float_noise(weight):
    """A strip of 20 cells of 5%: 70% is the start of cell 14 (counted from 0), however summed."""
    strip = _strip(weight, None, None, 20).plain
    assert strip.index("▲") == 14


def test_a_top_level_criterion_shows_one_share_in_both_columns(tmp_path):
    """Thirds as a script writes them: Local% and Global% of a top-level criterion are the same
    share, so both columns show the largest-remainder figures 33.4, 33.3, 33.3 (adding to 100.0);
    Local% was 33.3 thrice beside Global% 33.4."""
    from appraise.io import load_criteria
    from appraise.present.ranking import criteria_record

    path = tmp_path / "thirds.yaml"
    path.write_text(
        "title: T\ncriteria:\n  - {id: a, name: A, weight: 33.333333333333336}\n"
        "  - {id: b, name: B, weight: 33.333333333333336}\n"
        "  - {id: c, name: C, weight: 33.33333333333333}\n"
    )
    rows = criteria_record(load_criteria(path))["criteria"]
    assert [(r["local_display"], r["global_display"]) for r in rows] == [
        ("33.4", "33.4"),
        ("33.3", "33.3"),
        ("33.3", "33.3"),
    ]


def test_lazy_rows_and_lists_are_written_as_the_dicts_and_lists_they_stand_for():
    """Issue 14, class 9: a million spread cells are made as they are written, never all held;
    the text is exactly what the same data as plain dicts and lists gives."""
    made: list[str] = []

    def row(key: str) -> dict[str, object]:
        made.append(key)
        return {"n": len(key), "cells": {"q": {"min": 1.0}}}

    lazy = {
        "spread": formats.LazyRows(["a", "bb"], row),
        "flags": formats.LazyList(3, lambda k: {"k": k}),
        "none": formats.LazyList(0, lambda k: k),
    }
    plain = {
        "spread": {"a": row("a"), "bb": row("bb")},
        "flags": [{"k": 0}, {"k": 1}, {"k": 2}],
        "none": [],
    }
    made.clear()
    assert formats.to_json(lazy) == formats.to_json(plain)
    assert made == ["a", "a", "bb"]  # "is a a row?" looks at the first only, then writes each
    assert lazy["flags"] == plain["flags"]
    assert lazy["spread"] == plain["spread"]


def test_json_is_written_in_bounded_pieces_that_join_to_the_whole():
    """Issue 14, class 9: 20,000 rows come out in pieces of about 64 K characters each."""
    data = {"rows": formats.LazyList(20_000, lambda k: {"id": f"o{k}", "total": k / 7})}
    pieces = list(formats.iter_json(data))
    assert "".join(pieces) == formats.to_json(data)
    assert len(pieces) > 10
    assert max(len(piece) for piece in pieces) < 70_000
    assert json.loads("".join(pieces))["rows"][19_999] == {"id": "o19999", "total": 19_999 / 7}
