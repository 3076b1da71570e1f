"""``appraise explore`` (issue 21): the what-if view, its state and its keys.

The demo (conftest): criteria a 60 / b 40, options x (5, 1), y (2, 5), z (3, 3, status quo).
With a's global weight t and b's 1 - t: x = 1 + 4t, y = 5 - 3t, z = 3. x leads at t = 0.6;
y overtakes where 1 + 4t = 5 - 3t: t = 4/7 (57.1%). With b at 40 points, a's share is
p / (p + 40), which is 4/7 at p = 160/3 (53.33 points): stepping a down from 60, x leads at 54
points (54/94 = 57.4%) and y at 53 (53/93 = 57.0%). b's threshold is 1 - 4/7 = 3/7, which with
a at 60 is 45 points (3/7 = 45/105).

The view is driven headless by Textual's own harness (``App.run_test``, key presses through
its ``Pilot``); its screens are compared whole, as text, at 80 x 24 and 120 x 30 with
``tests/golden/explore-*.txt`` (``APPRAISE_GOLDEN=update`` rewrites them).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import appraise
from appraise import api
from appraise.analysis.whatif import WhatIf
from appraise.cli import app
from appraise.errors import ParameterError
from appraise.io import load_inputs
from appraise.model import Settings
from appraise.tui.explore import (
    MAIN_KEYS,
    RANKING_KEYS,
    ExploreApp,
    OptionScreen,
    RankingTable,
    Simulation,
    SimulationScreen,
    WeightSetScreen,
)

from .conftest import TWO_CRITERIA

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("APPRAISE_GOLDEN") == "update"
URGENT = "options/urgent-care.yaml"

runner = CliRunner()


def cli_json(*args: object) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sheets(*paths: str | Path) -> list[Any]:
    return load_inputs([str(ROOT / p) if not Path(p).is_absolute() else str(p) for p in paths])


Drive = Callable[[Any, ExploreApp], Awaitable[None]]


def drive(view: ExploreApp, steps: Drive, size: tuple[int, int] = (80, 24)) -> None:
    """Run the view headless at ``size``, do ``steps`` with its pilot, then leave it."""

    async def run() -> None:
        async with view.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot, view)

    asyncio.run(run())


def screen_text(view: ExploreApp) -> str:
    """The screen as a terminal shows it, as plain text (trailing spaces cut)."""
    strips = view.screen._compositor.render_strips()  # what export_screenshot draws from
    return "\n".join(strip.text.rstrip() for strip in strips) + "\n"


def rendered(renderable: Any, width: int) -> str:
    """A rich renderable as text at ``width`` columns."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def text_of(view: ExploreApp, selector: str) -> str:
    return str(view.query_one(selector).render())


def cell(view: ExploreApp, table: str, row: str, column: str) -> str:
    return str(view.query_one(table).get_cell(row, column))


# --- the state, as a library ---------------------------------------------------------------


def test_stepping_down_passes_the_hand_worked_threshold(demo):
    whatif = WhatIf(load_inputs([str(demo)]))
    bounds = whatif.bounds(0, "a")
    assert bounds is not None
    assert (bounds.lower, bounds.upper, bounds.below) == (pytest.approx(4 / 7), None, "y")
    assert bounds.points_lower == pytest.approx(160 / 3)
    said = {}
    for points in range(59, 50, -1):
        change = whatif.change("a", points)
        said[points] = change.announcements
    assert said[54] == ()
    assert said[53] == ("Option Y now leads: Criterion A passed 57.1%",)
    assert said[52] == ()
    assert whatif.leaders()[0].id == "y"
    b = WhatIf(load_inputs([str(demo)])).bounds(0, "b")
    assert b is not None
    assert (b.upper, b.above, b.points_upper) == (pytest.approx(3 / 7), "y", pytest.approx(45))


def test_totals_after_changes_equal_rank_with_the_same_one_off_weights():
    whatif = WhatIf(sheets(URGENT))
    whatif.change("affordability", 40)
    whatif.step("safety", 1)
    whatif.step("safety", 1)
    whatif.change("stakeholder_support", 0)
    assert whatif.given() == (
        ("safety", 28.2),
        ("affordability", 40.0),
        ("stakeholder_support", 0.0),
    )
    record = cli_json(
        "rank", ROOT / URGENT, "-f", "json",
        "--weight", "affordability=40", "--weight", "safety=28.2", "--weight", "stakeholder_support=0",
    )  # fmt: skip
    ranking = whatif.rankings()[0]
    assert [(o["id"], o["total"]) for o in record["options"]] == [
        (o.id, o.total) for o in ranking.options
    ]
    assert record["weights"] == ranking.weights


def test_every_threshold_shown_is_the_one_sensitivity_computes():
    """Criteria against ``thresholds``; sub-criteria, moved within their family, against
    ``thresholds_within_family``; under weights given, as sensitivity --weight sees them."""
    whatif = WhatIf(sheets(URGENT))
    whatif.change("quality", 45)
    record = cli_json(
        "sensitivity", ROOT / URGENT, "--weight", "quality=45", "--only", "thresholds",
        "--only", "within", "-f", "json",
    )  # fmt: skip
    expected = {t["criterion"]: t for t in record["thresholds"] if "." not in t["criterion"]}
    expected |= {t["criterion"]: t for t in record["thresholds_within_family"]}
    checked = 0
    for node in whatif.nodes:
        bounds = whatif.bounds(0, node.id)
        if bounds is None:
            continue
        want = expected[node.id]
        assert (bounds.lower, bounds.upper) == (want["lower"], want["upper"]), node.id
        assert (bounds.below, bounds.above) == (want["below"], want["above"]), node.id
        assert bounds.share == pytest.approx(want["weight"]), node.id
        checked += 1
    assert checked == len(whatif.nodes)


def test_the_leader_change_is_announced_at_sensitivitys_threshold():
    whatif = WhatIf(sheets(URGENT))
    record = cli_json("sensitivity", ROOT / URGENT, "--only", "thresholds", "-f", "json")
    upper = next(t for t in record["thresholds"] if t["criterion"] == "affordability")["upper"]
    points = 25
    while not (change := whatif.step("affordability", 1)).announcements:
        points += 1
    share = points + 1
    assert share / (share + 75) > upper > points / (points + 75)  # the step that passed it
    assert change.announcements == (
        f"Relocate the MIIU to the PSHFT site now leads: Affordability passed "
        f"{appraise.weights.percent_text(upper)}%",
    )
    assert f"{upper:.3f}" == "0.654"


def test_a_change_that_leaves_nothing_weighed_is_refused_and_nothing_moves(demo):
    whatif = WhatIf(load_inputs([str(demo)]))
    whatif.change("a", 0)
    before = dict(whatif.points)
    with pytest.raises(ParameterError, match="leave every criterion weighing 0"):
        whatif.change("b", 0)
    with pytest.raises(ParameterError, match="points"):
        whatif.change("b", -1)
    assert whatif.points == before
    assert whatif.step("a", -5).after == whatif.leaders()  # not below 0: stays at 0
    assert whatif.points["a"] == 0


def test_a_weight_set_and_the_start_again(demo):
    whatif = WhatIf(load_inputs([str(demo)]))
    whatif.change("a", 70)
    change = whatif.use_weight_set("flip")
    assert change.announcements == ("Option Y now leads: under weight set 'flip'",)
    assert whatif.points == {"a": 40.0, "b": 60.0}
    assert whatif.given() == ()
    assert whatif.restore().announcements == (
        "Option X now leads: under the criteria file's weights",
    )
    assert (whatif.weight_set, whatif.points) == (None, {"a": 60.0, "b": 40.0})
    started = WhatIf(load_inputs([str(demo)]), Settings(weight_set="flip"))
    started.restore()  # the file's weights, not the session's start (issue 21: "r restores")
    assert (started.weight_set, started.points) == (None, {"a": 60.0, "b": 40.0})
    with pytest.raises(ParameterError, match="no weight set 'nope'"):
        whatif.use_weight_set("nope")


def test_files_weighed_by_different_tables_are_explored_apart(demo, write):
    write("other.yaml", TWO_CRITERIA.replace("weight: 60", "weight: 50").replace("40}", "50}"))
    other = write("o.yaml", demo.read_text().replace("two.yaml", "other.yaml"))
    with pytest.raises(appraise.InputError, match="explore weighs one criteria table"):
        WhatIf(load_inputs([str(demo), str(other)]))


def test_a_move_past_several_thresholds_names_each_in_turn(write):
    """a 90 / b 10; x (5, 1), y (3, 4), z (1, 5): x = 1 + 4t, y = 4 - t, z = 5 - 4t in a's
    share t. x leads above 60% (x = y at t = 3/5), y from 33.3% (y = z at t = 1/3), z below."""
    write("c.yaml", "title: T\ncriteria:\n  - {id: a, name: Criterion A, weight: 90}\n"
                    "  - {id: b, name: Criterion B, weight: 10}\n")  # fmt: skip
    scores = write(
        "s.yaml",
        """\
        group: g
        name: G
        criteria: c.yaml
        scale: {min: 1, max: 5}
        options:
          - {id: x, name: Option X, scores: {a: 5, b: 1}}
          - {id: y, name: Option Y, scores: {a: 3, b: 4}}
          - {id: z, name: Option Z, status_quo: true, scores: {a: 1, b: 5}}
        """,
    )
    whatif = WhatIf(load_inputs([str(scores)]))
    assert whatif.change("a", 2).announcements == (  # 2 / 12 = 16.7%
        "Option Z now leads: Criterion A passed 60.0% (Option Y led past it), then 33.3%",
    )
    assert whatif.change("a", 4).announcements == ()  # 28.6%: still z
    assert whatif.change("a", 10).announcements == (  # 50%
        "Option Y now leads: Criterion A passed 33.3%",
    )
    assert whatif.change("a", 90).announcements == ("Option X now leads: Criterion A passed 60.0%",)


def test_typed_points_are_each_kept(demo):
    whatif = WhatIf(load_inputs([str(demo)]))
    for points in (50, 55, 70):
        whatif.change("a", points)
    assert [t.points["a"] for t in whatif.history] == [60, 50, 55, 70]


def test_a_run_of_steps_is_kept_as_its_last_and_either_side_of_a_leader_change(demo):
    whatif = WhatIf(load_inputs([str(demo)]))
    for _ in range(8):  # 60 -> 52: y leads from 53
        whatif.step("a", -1)
    whatif.step("b", 5)
    whatif.step("b", 5)
    kept = [(t.points["a"], t.points["b"], t.leaders[0].id) for t in whatif.history]
    assert kept == [(60, 40, "x"), (54, 40, "x"), (53, 40, "y"), (52, 40, "y"), (52, 50, "y")]


def test_the_weightings_tried_rerun_from_the_saved_file(demo, tmp_path):
    whatif = WhatIf(load_inputs([str(demo)]))
    whatif.change("a", 53)
    whatif.change("b", 30)
    whatif.use_weight_set("flip")
    whatif.step("b", 10)
    out = tmp_path / "explored.yaml"
    path, count = api.write_explored(out, whatif, when="2026-12-05")
    assert (path, count) == (out, 5)
    text = out.read_text()
    assert "# explored-1: leads Option X (x); rerun: (the file as it is)\n" in text
    assert "# explored-2: leads Option Y (y); rerun: --weight a=53\n" in text
    assert (
        "# explored-5, from weight set 'flip': leads Option Y (y); rerun: --weights flip --weight b=70\n"
        in text
    )
    for k, tried in enumerate(whatif.history, start=1):
        sheet = appraise.load_scores(demo, criteria=out)
        totals = {o.id: o.total for o in appraise.rank(sheet, weights=f"explored-{k}").options}
        whatif.points, whatif.weight_set = dict(tried.points), tried.weight_set
        assert totals == {o.id: o.total for o in whatif.rankings()[0].options}
    assert appraise.load_criteria(out).spec.criteria == whatif.tree.spec.criteria
    for k, tried in enumerate(whatif.history, start=1):  # and from the command line
        record = cli_json(
            "rank", demo, "--criteria", out, "--weights", f"explored-{k}", "-f", "json"
        )
        whatif.points, whatif.weight_set = dict(tried.points), tried.weight_set
        assert [(o["id"], o["total"]) for o in record["options"]] == [
            (o.id, o.total) for o in whatif.rankings()[0].options
        ]
        assert (
            f"{demo}: weighed by {out} (--criteria), not the criteria it names" in record["notes"]
        )


def test_the_record_is_never_written_over_an_input_or_a_file_there(demo, tmp_path):
    whatif = WhatIf(load_inputs([str(demo)]))
    with pytest.raises(ParameterError, match=r"\.yaml"):
        api.check_explored_output(tmp_path / "x.txt", whatif)
    with pytest.raises(appraise.InputError):
        api.check_explored_output(demo.parent / "two.yaml", whatif, force=True)
    there = tmp_path / "there.yaml"
    there.write_text("keep")
    with pytest.raises(appraise.InputError, match="force"):
        api.check_explored_output(there, whatif)
    api.check_explored_output(there, whatif, force=True)
    assert there.read_text() == "keep"


# --- the view, driven by keys ----------------------------------------------------------------


def test_plus_minus_and_typed_points_move_the_selected_weight(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        assert view.selected == "a"
        await pilot.press("+", "+", "-")
        assert cell(view, "#criteria", "a", "points") == "61"
        assert cell(view, "#criteria", "a", "global") == "60.4%"  # 61 / 101
        await pilot.press("down")
        assert view.selected == "b"
        await pilot.press("4", "5", "backspace", "6")
        assert "Points for Criterion B: 46" in text_of(view, "#status")
        await pilot.press("enter")
        assert view.whatif.points == {"a": 61.0, "b": 46.0}
        await pilot.press("9", "escape", "up")
        assert view.whatif.points["b"] == 46.0
        assert view.typed == ""

    drive(ExploreApp(WhatIf(load_inputs([str(demo)]))), steps)


def test_the_ranking_shown_is_ranks_after_a_change_and_the_leader_change_is_said(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("5", "3", "enter")
        await pilot.pause()
        shown = view.query_one("#ranking-0", RankingTable)
        rows = [[str(c) for c in shown.get_row_at(r)] for r in range(shown.row_count)]
        record = cli_json("rank", demo, "--weight", "a=53", "-f", "json")
        assert [(r[0], r[1].removesuffix(" ◆"), r[2]) for r in rows] == [
            (str(o["rank"]), o["name"], f"{o['total']:.2f}") for o in record["options"]
        ]
        assert text_of(view, "#news") == "Option Y now leads: Criterion A passed 57.1%"
        assert (
            "Next threshold 57.1% at 53.33 points (0.33 away): Option X leads above it."
            in " ".join(text_of(view, "#status").split())
        )

    drive(ExploreApp(WhatIf(load_inputs([str(demo)]))), steps)


def test_a_refused_change_is_said_and_nothing_moves(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("0", "enter", "down", "0", "enter")
        assert view.whatif.points == {"a": 0.0, "b": 40.0}
        assert text_of(view, "#news") == (
            "Not changed: these weights leave every criterion weighing 0"
        )
        assert cell(view, "#criteria", "b", "points") == "40"
        await pilot.press("1", ".", ".", "enter")
        assert text_of(view, "#news") == "Not changed: '1..' is not a number of points"
        await pilot.press("1", "e", "4")
        assert text_of(view, "#news") == "Points are digits and a point: 'e' is left out"
        assert view.typed == "14"
        await pilot.press("escape", *"12345678901234567")
        assert view.typed == "1234567890123456"  # 16 characters, the rest said and left out
        assert text_of(view, "#news").startswith("At most 16 characters of points")
        await pilot.press("enter")
        assert text_of(view, "#news") == "Not changed: expected 0 to 1e+12, found 1.23457e+15"

    drive(ExploreApp(WhatIf(load_inputs([str(demo)]))), steps)


def test_a_round_scored_by_criterion_shows_its_sub_criteria_but_they_move_nothing():
    async def steps(pilot: Any, view: ExploreApp) -> None:
        before = dict(view.whatif.points)
        await pilot.press("right", "down", "+")
        assert view.whatif.points == before
        assert text_of(view, "#news") == (
            "Not changed: 'best_practice' moves nothing: this round is scored by criterion"
        )
        assert "This round is scored by criterion" in text_of(view, "#status")

    drive(ExploreApp(WhatIf(sheets("examples/urgent-care-indicative.yaml"))), steps)


def test_sub_criteria_open_and_close(demo, write):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        table = view.query_one("#criteria")
        assert table.row_count == 4
        await pilot.press("right")
        assert table.row_count == 9
        await pilot.press("down", "+")
        assert view.selected == "best_practice"
        assert cell(view, "#criteria", "best_practice", "points") == "20.1"
        assert "of Quality" in text_of(view, "#status")
        await pilot.press("left")
        assert (table.row_count, view.selected) == (4, "quality")
        await pilot.press("enter")  # nothing typed: Enter opens the family too
        assert table.row_count == 9

    drive(ExploreApp(WhatIf(sheets(URGENT))), steps)


def test_a_weight_set_is_chosen_from_the_list_and_r_restores(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("w")
        assert isinstance(view.screen, WeightSetScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert view.whatif.weight_set == "flip"
        assert cell(view, "#criteria", "a", "points") == "40"
        assert text_of(view, "#news") == "Option Y now leads: under weight set 'flip'"
        assert text_of(view, "#weights") == "Weights: set 'flip'"
        await pilot.press("up", "+")
        assert text_of(view, "#weights") == "Weights: set 'flip', 1 changed"
        await pilot.press("r")
        assert (view.whatif.weight_set, view.whatif.points) == (None, {"a": 60.0, "b": 40.0})
        assert text_of(view, "#weights") == "Weights: the file's"

    drive(ExploreApp(WhatIf(load_inputs([str(demo)]))), steps)


def test_enter_on_an_option_explains_it(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("tab")
        assert isinstance(view.focused, RankingTable)
        assert text_of(view, "#keys") == RANKING_KEYS
        await pilot.press("down", "enter")
        assert isinstance(view.screen, OptionScreen)
        shown = screen_text(view)
        assert "Option Y (y): total 3.20, rank 2" in shown
        assert "Against Option X (x)" in shown
        assert "-0.200" in shown  # 3.2 - 3.4
        await pilot.press("w", "r", "s")  # the weights move only where their figures show
        assert isinstance(view.screen, OptionScreen)
        assert view.whatif.points == {"a": 60.0, "b": 40.0}
        await pilot.press("escape")
        assert not isinstance(view.screen, OptionScreen)
        assert text_of(view, "#keys") == RANKING_KEYS
        await pilot.press("tab")
        assert text_of(view, "#keys") == MAIN_KEYS

    drive(ExploreApp(WhatIf(load_inputs([str(demo)]))), steps)


def rows_of(shown: str, names: list[str]) -> dict[str, list[str]]:
    """Each named row of a table on screen, as its cells (split on the column rules)."""
    rows = {}
    for line in shown.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if cells[0] in names:
            rows.setdefault(cells[0], cells[1:])  # the first table that names it
    return rows


def test_the_simulation_runs_in_the_background_and_equals_sensitivity(demo):
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("-", "-", "s")  # a at 58 points
        assert isinstance(view.screen, SimulationScreen)
        await view.screen.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(view)
        record = cli_json(
            "sensitivity", demo, "--only", "smaa", "--weight", "a=58", "--samples", "2000",
            "--seed", "3", "--distribution", "dirichlet", "--concentration", "50", "-f", "json",
        )  # fmt: skip
        options = record["smaa"]["options"]
        rows = rows_of(shown, [o["name"] for o in options])
        assert rows == {
            o["name"]: [f"{appraise.weights.percent_text(v)}%" for v in o["rank_acceptability"]]
            for o in options
        }
        assert "2,000 samples, dirichlet weights, seed 3" in " ".join(shown.split())
        assert view.screen.command == (
            f"appraise sensitivity {view.whatif.sheets[0].path} --only smaa --weight a=58 "
            "--samples 2000 --seed 3 --distribution dirichlet --concentration 50"
        )
        await pilot.press("escape")
        assert not isinstance(view.screen, SimulationScreen)

    view = ExploreApp(
        WhatIf(load_inputs([str(demo)])), simulation=Simulation(2000, 3, "dirichlet", 50)
    )
    drive(view, steps, size=(120, 30))


def test_a_long_simulation_is_cancelled_by_escape_and_the_view_answers_meanwhile():
    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("s")
        screen = view.screen
        assert isinstance(screen, SimulationScreen)
        await pilot.pause(0.05)
        assert screen.running  # ten million draws are not done yet, and keys still work
        await pilot.press("escape")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert "Cancelled: nothing was kept." in screen_text(view)
        await pilot.press("escape")
        assert not isinstance(view.screen, SimulationScreen)

    view = ExploreApp(WhatIf(sheets(URGENT)), simulation=Simulation(10_000_000))
    drive(view, steps)


def test_a_tab_per_group_and_the_combinations_follow_the_weights():
    files = [p.relative_to(ROOT) for p in sorted((ROOT / "examples/llr").glob("llr-*.yaml"))]
    rules = ROOT / "examples/llr/rules.yaml"

    async def steps(pilot: Any, view: ExploreApp) -> None:
        from textual.widgets import TabbedContent

        tabs = view.query_one(TabbedContent)
        assert tabs.active == "group-0"
        await pilot.press("tab", "right")
        assert tabs.active == "group-1"
        await pilot.press("left", "left")
        assert tabs.active == "combinations"
        for weights in ([], ["--weight", "quality=60"]):
            record = cli_json("combine", *files, "-r", rules, "-f", "json", "--samples", "0",
                              *weights)  # fmt: skip
            best = record["combinations"][0]
            words = " ".join(screen_text(view).split())
            assert f"The preferred configuration scores {best['total']:.2f} across 10" in words
            whole = rendered(view.query_one("#combined").content, 85)  # below, scrolled to
            rows = rows_of(whole, list(best["choice"]))
            assert {group: cells[0] for group, cells in rows.items()} == best["choice"]
            if not weights:  # to the criteria (quality is selected), 60 points, back to the tab
                await pilot.press("tab", "6", "0", "enter")
                await pilot.pause()
                assert view.whatif.given() == (("quality", 60.0),)
                assert tabs.active == "combinations"

    view = ExploreApp(WhatIf(sheets(*files)), rules=rules)
    drive(view, steps, size=(120, 30))


def test_a_change_that_moves_several_groups_says_each_on_its_own_line():
    files = [p.relative_to(ROOT) for p in sorted((ROOT / "options").glob("*.yaml"))]
    whatif = WhatIf(sheets(*files))
    expected = WhatIf(sheets(*files)).change("sustainability", 200).announcements
    assert len(expected) >= 2

    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.press("down", "down", "2", "0", "0", "enter")
        await pilot.pause()
        assert text_of(view, "#news").splitlines() == list(expected)
        shown = screen_text(view)
        for sentence in expected:  # whole on screen, whatever it wraps to
            assert sentence.split(":")[0] in shown
        groups = {sheet.spec.name for sheet in whatif.sheets}
        assert all(sentence.split(": ")[0] in groups for sentence in expected)

    drive(ExploreApp(whatif), steps, size=(120, 30))


def test_resizing_the_terminal_redraws_at_the_new_width(monkeypatch):
    monkeypatch.chdir(ROOT)
    shown: list[str] = []

    async def steps(pilot: Any, view: ExploreApp) -> None:
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        shown.append(screen_text(view))

    drive(ExploreApp(WhatIf(sheets(URGENT))), steps, size=(80, 24))
    assert shown[0] == (GOLDEN / "explore-start-120.txt").read_text(encoding="utf-8")


# --- whole screens at 80 and 120 columns -------------------------------------------------------

SCREENS: dict[str, Drive] = {}


def screen(name: str) -> Callable[[Drive], Drive]:
    def register(steps: Drive) -> Drive:
        SCREENS[name] = steps
        return steps

    return register


@screen("start")
async def _start(pilot: Any, view: ExploreApp) -> None:
    pass


@screen("leader-changed")
async def _leader_changed(pilot: Any, view: ExploreApp) -> None:
    await pilot.press("down", "1", "4", "5", "enter")


@screen("sub-criteria")
async def _sub_criteria(pilot: Any, view: ExploreApp) -> None:
    await pilot.press("right", "down", "down", "+")


@screen("explain")
async def _explain(pilot: Any, view: ExploreApp) -> None:
    await pilot.press("tab", "down", "down", "enter")


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80", "120"])
@pytest.mark.parametrize("name", sorted(["start", "leader-changed", "sub-criteria", "explain"]))
def test_the_screen_reads_as_recorded(name, size, monkeypatch):
    shown: list[str] = []

    async def steps(pilot: Any, view: ExploreApp) -> None:
        await SCREENS[name](pilot, view)
        await pilot.pause()
        shown.append(screen_text(view))

    monkeypatch.chdir(ROOT)
    drive(ExploreApp(WhatIf(sheets(URGENT))), steps, size)
    got = shown[0]
    assert all(len(line) <= size[0] for line in got.splitlines())
    golden = GOLDEN / f"explore-{name}-{size[0]}.txt"
    if UPDATE:
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"no {golden.name}: run with APPRAISE_GOLDEN=update and read it"
    assert got == golden.read_text(encoding="utf-8")


# --- in a real terminal ------------------------------------------------------------------------


def test_in_a_real_terminal_the_screen_is_the_one_recorded(tmp_path):
    """``appraise explore`` in tmux at 80 x 24 (TERM=xterm-256color): the keys a person types,
    one at a time, and the pane read back equals the headless screen recorded above."""
    import shutil
    import subprocess
    import sys
    import time

    tmux = shutil.which("tmux")
    assert tmux, "tmux is needed (.ci/run installs it)"
    socket = str(tmp_path / "tmux.sock")
    launch = f"TERM=xterm-256color {sys.executable} -m appraise explore {URGENT} -q; sleep 60"

    def run(*args: str) -> str:
        done = subprocess.run(
            [tmux, "-S", socket, *args], check=False, capture_output=True, text=True
        )
        return done.stdout

    def pane() -> str:
        return "\n".join(line.rstrip() for line in run("capture-pane", "-p").splitlines()) + "\n"

    def until(seen: str) -> str:
        for _ in range(200):
            shown = pane()
            if seen in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"never shown: {seen!r}\n{shown}")

    env = f"cd {ROOT} && {launch}"
    run("new-session", "-d", "-x", "80", "-y", "24", "sh", "-c", env)
    try:
        until("Tab options")
        for key in ("Down", "1", "4", "5", "Enter"):
            run("send-keys", key)
            time.sleep(0.15)  # as typed: Textual reads a burst after an arrow key as one sequence
        shown = until("now leads")
        assert shown == (GOLDEN / "explore-leader-changed-80.txt").read_text(encoding="utf-8")
        run("send-keys", "q")
        for _ in range(100):  # q leaves the full screen: the terminal is the shell's again
            if "Tab options" not in pane():
                break
            time.sleep(0.1)
        assert "Tab options" not in pane()
    finally:
        run("kill-server")


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["dumb", ""])
def test_a_dumb_terminal_gets_one_line_and_exit_2(term, monkeypatch):
    monkeypatch.setenv("TERM", term)
    result = runner.invoke(app, ["explore", str(ROOT / URGENT)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: explore needs an interactive terminal (TERM is {term or 'not set'}); rank, "
        "sensitivity and combine print the same figures\n"
    )


def test_output_not_a_terminal_gets_one_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    result = runner.invoke(app, ["explore", str(ROOT / URGENT)])
    assert result.exit_code == 2
    assert "its keyboard or screen is not a terminal" in result.stderr


def test_the_command_opens_the_view_and_saves_the_weightings_on_quitting(
    demo, tmp_path, monkeypatch
):
    from appraise.cli import exploring

    monkeypatch.setattr(exploring, "interactive", lambda: None)
    seen: dict[str, Any] = {}

    def run(view: ExploreApp) -> None:
        async def steps(pilot: Any, _: ExploreApp) -> None:
            await pilot.press("5", "3", "enter", "q")
            seen["simulation"] = view.simulation

        drive(view, steps)

    monkeypatch.setattr(ExploreApp, "run", run)
    out = tmp_path / "tried.yaml"
    args = ["explore", str(demo), "--save-weights", str(out), "--samples", "500", "--seed", "9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen["simulation"] == Simulation(500, 9, "dirichlet", 100.0)
    assert result.stderr.endswith(
        f"Wrote {out}: 2 weightings tried, as weight sets explored-1 to explored-2\n"
    )
    sheet = appraise.load_scores(demo, criteria=out)
    assert appraise.rank(sheet, weights="explored-2").options[0].id == "y"
    again = runner.invoke(app, args)  # the record is there now: refused before the view opens
    assert again.exit_code == 1
    assert "--force" in again.stderr


def test_a_record_that_cannot_be_written_goes_to_stdout(demo, tmp_path, monkeypatch):
    from appraise.cli import exploring

    monkeypatch.setattr(exploring, "interactive", lambda: None)
    folder = tmp_path / "gone"
    folder.mkdir()

    def run(view: ExploreApp) -> None:
        async def steps(pilot: Any, _: ExploreApp) -> None:
            await pilot.press("5", "3", "enter", "q")

        drive(view, steps)
        folder.rmdir()  # the folder went while the meeting ran

    monkeypatch.setattr(ExploreApp, "run", run)
    result = runner.invoke(app, ["explore", str(demo), "--save-weights", str(folder / "t.yaml")])
    assert result.exit_code == 1
    assert "the weightings tried follow" in result.stderr
    assert "# explored-2: leads Option Y (y); rerun: --weight a=53\n" in result.stdout
    assert "explored-2:\n    a: 53\n    b: 40\n" in result.stdout


def test_the_command_refuses_a_bad_rules_file_before_the_view_opens(demo, write, monkeypatch):
    from appraise.cli import exploring

    monkeypatch.setattr(exploring, "interactive", lambda: None)
    monkeypatch.setattr(ExploreApp, "run", lambda view: pytest.fail("the view opened"))
    rules = write("rules.yaml", "rules:\n  - {requires: [nowhere.x, demo.y]}\n")
    result = runner.invoke(app, ["explore", str(demo), "-r", str(rules)])
    assert result.exit_code == 1
    assert str(rules) in result.stderr


def test_settings_are_kept_by_every_ranking_of_the_session(demo):
    whatif = WhatIf(load_inputs([str(demo)]), Settings(aggregate="median", weight_set="flip"))
    assert whatif.points == {"a": 40.0, "b": 60.0}
    whatif.step("a", 1)
    assert whatif.settings_now().aggregate == "median"
    assert whatif.settings_now().weights_given == (("a", 41.0),)
