"""The option register and scorer provenance: statuses, rejections, interests, dissent."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from appraise.cli import app

from .conftest import THREE_OPTIONS, TWO_CRITERIA


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def register(write):
    write("two.yaml", TWO_CRITERIA)
    text = (
        THREE_OPTIONS.replace(
            "{id: x, name: Option X, scores: {a: 5, b: 1}}",
            "{id: x, name: Option X, scores: {a: 5, b: 1}, status: shortlisted,"
            " dissent: [The patient representative disagreed.]}",
        )
        .replace(
            "{id: y, name: Option Y, scores: {a: 2, b: 5}}",
            "{id: y, name: Option Y, scores: {a: 2, b: 5}, status: rejected,"
            " status_reason: needs capital the system does not have}",
        )
        .replace("status_quo: true,", "status_quo: true, status: long-listed,")
    )
    return write("register.yaml", text)


def test_a_rejected_option_is_listed_apart_with_its_reason(register):
    data = json.loads(invoke("rank", register, "-f", "json").stdout)
    assert [o["id"] for o in data["options"]] == ["x", "z"]
    (rejected,) = data["rejected"]
    assert rejected["id"] == "y"
    assert rejected["reason"] == "rejected: needs capital the system does not have"
    assert rejected["total"] == pytest.approx(3.2)
    table = invoke("rank", register).stdout
    assert "Rejected (option register)" in table
    assert "needs capital the system does not have" in table


def test_rank_filters_by_status(register):
    result = invoke("rank", register, "--status", "shortlisted", "-f", "json")
    data = json.loads(result.stdout)
    # x is shortlisted; z, long-listed, stays as the status quo (the comparator).
    assert [o["id"] for o in data["options"]] == ["x", "z"]
    assert data["statuses"] == ["shortlisted"]
    assert data["rejected"][0]["id"] == "y"  # rejections are always shown
    assert "status shortlisted only" in invoke("rank", register, "--status", "shortlisted").stdout


def test_dissent_is_carried_into_every_format(register):
    data = json.loads(invoke("rank", register, "-f", "json").stdout)
    assert data["options"][0]["dissent"] == ["The patient representative disagreed."]
    assert data["options"][0]["status"] == "shortlisted"
    assert "The patient representative disagreed." in invoke("rank", register).stdout
    markdown = invoke("rank", register, "-f", "markdown").stdout
    assert "**Dissent recorded:**" in markdown
    assert "- Option X: The patient representative disagreed." in markdown


def test_a_rejection_needs_a_reason(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "bad.yaml",
        THREE_OPTIONS.replace(
            "{id: y, name: Option Y, scores: {a: 2, b: 5}}",
            "{id: y, name: Option Y, scores: {a: 2, b: 5}, status: rejected}",
        ),
    )
    result = invoke("check", path, "-f", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["where"], problem["message"]) == (
        "options[1]",
        "a rejected option needs a 'status_reason'",
    )


def test_exclude_conflicted_recomputes_without_the_interested_scorer(write):
    # x: ann (5, 1), bob (1, 1) -> mean (3, 1) = 0.6*3 + 0.4*1 = 2.2.
    # bob declared an interest in x; without him x is ann's (5, 1) = 3.4.
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "panel.yaml",
        """\
        group: panel
        name: Panel
        criteria: two.yaml
        scale: {min: 1, max: 5}
        scorers:
          bob: {role: GP, interests: {x: partner at the host practice}}
          ann: {role: Consultant}
        options:
          - id: x
            name: X
            status_quo: true
            scorers: {ann: {a: 5, b: 1}, bob: {a: 1, b: 1}}
          - id: y
            name: Y
            scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 5}}
        """,
    )
    plain = json.loads(invoke("rank", path, "-f", "json").stdout)
    assert {o["id"]: o["total"] for o in plain["options"]} == {
        "y": pytest.approx(3.2),
        "x": pytest.approx(2.2),
    }
    result = invoke("rank", path, "--exclude-conflicted", "-f", "json")
    data = json.loads(result.stdout)
    assert {o["id"]: o["total"] for o in data["options"]} == {
        "x": pytest.approx(3.4),
        "y": pytest.approx(3.2),
    }
    assert "left out bob's scores for x (declared interest: partner at the host practice)" in (
        " ".join(result.stderr.split())
    )
    assert data["exclude_conflicted"] is True
    table = invoke("rank", path, "--exclude-conflicted").stdout
    assert "conflicted scores left out" in table
    assert "Declared interests (these scores were left out)" in table
    interests = {s["id"]: s["interests"] for s in data["scorers"]}
    assert interests["bob"] == {"x": "partner at the host practice"}


def test_the_hce_workbook_carries_the_register_rejections_and_dissent(register, tmp_path):
    import openpyxl

    out = tmp_path / "hce.xlsx"
    result = invoke("export", register, "-o", out, "--no-sensitivity")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    summary = [r for r in book["Summary"].iter_rows(values_only=True) if r and r[0]]
    assert ("Rejected", "Option Y", "rejected: needs capital the system does not have") in [
        r[:3] for r in summary
    ]
    assert ("Dissent", "Option X", "The patient representative disagreed.") in [
        r[:3] for r in summary
    ]
    register_rows = list(book["Register"].iter_rows(min_row=4, values_only=True))
    statuses = {r[1]: (r[4], r[5]) for r in register_rows}
    assert statuses["y"] == ("rejected", "needs capital the system does not have")
    assert statuses["x"] == ("shortlisted", None)


def test_status_filter_names_what_it_leaves_out(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "four.yaml",
        THREE_OPTIONS.replace(
            "{id: x, name: Option X, scores: {a: 5, b: 1}}",
            "{id: x, name: Option X, scores: {a: 5, b: 1}, status: shortlisted}",
        )
        + "  - {id: w, name: Option W, scores: {a: 1, b: 1}, status: long-listed}\n",
    )
    result = invoke("rank", path, "--status", "shortlisted", "-f", "json")
    data = json.loads(result.stdout)
    assert [o["id"] for o in data["options"]] == ["x", "z"]
    assert any(n.endswith("left out: w, y") for n in data["notes"]), data["notes"]


KEPT = "status quo (kept for comparison)"


def test_the_status_quo_kept_by_status_is_labelled_so_in_every_format(register, tmp_path):
    """z, the status quo, is long-listed: --status shortlisted ranks x and keeps z as the
    comparator. No output may call z shortlisted (issue 13 item 15)."""
    data = json.loads(invoke("rank", register, "--status", "shortlisted", "-f", "json").stdout)
    assert [(o["id"], o["status"]) for o in data["options"]] == [("x", "shortlisted"), ("z", KEPT)]
    assert data["status_quo_kept"] is True

    rows = invoke("rank", register, "--status", "shortlisted", "-f", "csv").stdout.splitlines()
    assert rows[2].startswith(f"demo,2,z,Option Z,3.0,yes,{KEPT},")

    markdown = invoke("rank", register, "--status", "shortlisted", "-f", "markdown").stdout
    assert "status shortlisted only, and the status quo for comparison._" in markdown
    assert f"| demo | 2 | z | Option Z | 3.00 | yes | {KEPT} |" in markdown

    table = " ".join(invoke("rank", register, "--status", "shortlisted").stdout.split())
    assert "◆ status quo (kept for comparison)" in table
    assert "status shortlisted only, and the status quo for comparison" in table

    import openpyxl

    out = tmp_path / "hce.xlsx"
    result = invoke("export", register, "--status", "shortlisted", "-o", out, "--no-sensitivity")
    assert result.exit_code == 0, result.output
    summary = list(book_rows(openpyxl.load_workbook(out)["Summary"]))
    assert any("and the status quo for comparison" in str(r[0]) for r in summary)
    assert ("Option Z", "yes, kept for comparison") in [(r[1], r[3]) for r in summary]


def book_rows(sheet):
    return (r for r in sheet.iter_rows(values_only=True) if r and r[0] is not None)


def test_the_status_quo_keeps_its_own_status_where_it_is_one_asked_for(register):
    """z is long-listed: asked for, it is ranked as long-listed, not merely kept."""
    args = ("rank", register, "--status", "shortlisted", "--status", "long-listed")
    data = json.loads(invoke(*args, "-f", "json").stdout)
    assert [(o["id"], o["status"]) for o in data["options"]] == [
        ("x", "shortlisted"),
        ("z", "long-listed"),
    ]
    assert data["status_quo_kept"] is False
    table = " ".join(invoke(*args).stdout.split())
    assert "status shortlisted or long-listed only" in table
    assert "kept for comparison" not in table
    assert "for comparison" not in table
