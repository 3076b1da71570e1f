"""``explain`` (issue 16): an option's total by leaf, and its gap to another, by hand.

The demo group (conftest): criteria a 60 and b 40 points; x scores a 5, b 1 (3.4), y a 2, b 5
(3.2), z a 3, b 3 (3.0).
"""

from __future__ import annotations

import io
import json
import re
from textwrap import dedent

import pytest
from rich.console import Console
from typer.testing import CliRunner

import appraise
from appraise.cli import app
from appraise.present import terminal
from appraise.present.explain import explain_record

runner = CliRunner()


def _draw(renderable: object, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def test_the_leader_is_explained_against_the_runner_up(demo):
    """x by leaf: a 0.6 x 5 = 3.0, b 0.4 x 1 = 0.4; against y (a 1.2, b 2.0): a +1.8, b -1.6."""
    result = appraise.explain(appraise.load_scores(demo), "x")
    assert [p.leaf for p in result.parts] == ["a", "b"]
    assert [(p.weight, p.score, p.part) for p in result.parts] == [
        pytest.approx((0.6, 5.0, 3.0)),
        pytest.approx((0.4, 1.0, 0.4)),
    ]
    assert result.against == "y"
    assert [g.node for g in result.gap_by_criterion] == ["a", "b"]
    assert [g.gap for g in result.gap_by_criterion] == pytest.approx([1.8, -1.6])
    record = explain_record(result)
    assert sum(leaf["part"] for leaf in record["leaves"]) == pytest.approx(3.4, abs=1e-12)
    assert record["gap"] == pytest.approx(0.2)
    assert record["summary"] == [
        "Option X leads Option Y by 0.20: +1.80 from Criterion A, -1.60 from Criterion B."
    ]


def test_an_option_behind_is_explained_against_the_one_named(demo):
    """z (a 1.8, b 1.2) against x (a 3.0, b 0.4): a -1.2, b +0.8; x leads by 0.40."""
    result = appraise.explain(appraise.load_scores(demo), "z", against="x")
    assert [g.node for g in result.gap_by_criterion] == ["a", "b"]
    assert [g.gap for g in result.gap_by_criterion] == pytest.approx([-1.2, 0.8])
    assert explain_record(result)["summary"] == [
        "Option X leads Option Z by 0.40: +1.20 from Criterion A, -0.80 from Criterion B."
    ]


def test_the_parts_sum_to_ranks_totals_on_the_bundled_example():
    ranking = appraise.rank(appraise.load_scores("urgent-care"))
    for option in ranking.options:
        result = appraise.explain(ranking, option.id)
        assert sum(p.part for p in result.parts) == pytest.approx(option.total, abs=1e-12)
        assert sum(g.gap for g in result.gap_by_criterion) == pytest.approx(
            result.total - (result.against_total or 0.0), abs=1e-12
        )


def test_the_json_gives_every_leaf(demo):
    result = runner.invoke(app, ["explain", str(demo), "y", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["option"] == {"id": "y", "name": "Option Y", "rank": 2, "total": 3.2}
    assert [leaf["leaf"] for leaf in data["leaves"]] == ["a", "b"]
    assert [leaf["part"] for leaf in data["leaves"]] == pytest.approx([1.2, 2.0])
    assert data["against"]["id"] == "x"
    assert [g["id"] for g in data["gap_by_criterion"]] == ["a", "b"]
    assert [g["gap"] for g in data["gap_by_criterion"]] == pytest.approx([-1.8, 1.6])


@pytest.mark.parametrize("width", [80, 120])
def test_the_view_reads_at_80_and_120_columns(demo, width):
    record = explain_record(appraise.explain(appraise.load_scores(demo), "y"))
    text = _draw(terminal.explain_view(record), width)
    assert all(len(line) <= width for line in text.splitlines())
    assert text == dedent(
        """\
        Demo group (demo)
        Option Y (y): total 3.20, rank 2
        Where the total comes from (part = weight x score)
        Criterion      ┃   Weight ┃   Score ┃  Panel ┃  Part
        ━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━
        Criterion A    │    60.0% │    2.00 │        │ 1.200
        Criterion B    │    40.0% │    5.00 │        │ 2.000
        Total          │   100.0% │         │        │ 3.200
        Against Option X (x)
        Criterion    ┃  This option ┃ Against ┃ Gap (this - against)
        ━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━
        Criterion A  │        1.200 │   3.000 │               -1.800
        Criterion B  │        2.000 │   0.400 │               +1.600
        Total        │        3.200 │   3.400 │               -0.200
        Option X leads Option Y by 0.20: +1.80 from Criterion A, -1.60 from Criterion B.
        """
    )


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["w"], "no option 'w' in"),
        (["x", "--against", "x"], "'x' is the option explained; name another"),
        (["x", "--against", "q"], "no option 'q' in"),
    ],
)
def test_a_wrong_option_is_a_usage_error(demo, args, found):
    """Exit 2 naming the argument, as for any option's wrong value."""
    result = runner.invoke(app, ["explain", str(demo), *args])
    assert result.exit_code == 2, result.output
    assert found in " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())


def test_a_mistyped_option_gets_the_one_meant():
    result = runner.invoke(app, ["explain", "urgent-care", "rural-hub"])
    assert result.exit_code == 2, result.output
    assert "did you mean 'rural-hubs'?" in " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())
