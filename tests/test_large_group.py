"""A group of more options than a page holds: the brief, the value summary and the value chart
list the first ones and say how many they leave out and where the rest are.

40 generated options (seeded) with an invented capital cost each; the counts are read from
`appraise rank` and `appraise value` JSON, which list every option.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraise.cli import app
from appraise.present.brief import BRIEF_ROWS
from appraise.present.value import BEATEN_SAID
from benchmarks import scale_bench


@pytest.fixture(scope="module")
def group(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    path = scale_bench.generate_shape(folder, 40, 2, 3)
    data = json.loads(path.read_text())
    for k, option in enumerate(data["options"]):
        option["cost"] = {"capital": float((k * 7) % 11), "unit": "GBP m"}
    path.write_text(json.dumps(data))
    return path


def run(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_brief_lists_a_page_of_options_and_says_how_many_more(group, tmp_path):
    ranked = json.loads(run("rank", group, "--format", "json"))["options"]
    valued = json.loads(run("value", group, "--format", "json", "--samples", "0"))
    run("brief", group, "-o", tmp_path / "b.html", "--samples", "200")
    page = (tmp_path / "b.html").read_text()
    tables = re.findall(r"<table>.*?</table>", page, re.S)
    shortlist = re.findall(r"<tr><td class=\"n\">(\d+)</td>", tables[0])
    status_quo = next(o for o in ranked if o["status_quo"])
    expected = [o["rank"] for o in ranked[:BRIEF_ROWS]]
    expected += [status_quo["rank"]] if status_quo["rank"] > BRIEF_ROWS else []
    assert [int(r) for r in shortlist] == expected
    listed = len(expected)
    assert f"{40 - listed:,} more ranked options not listed here (of 40)" in page
    kept = [o for o in valued["options"] if o["frontier"] or o["status_quo"]]
    assert tables[1].count("<tr>") == len(kept) + 1  # and the header
    assert f"{40 - len(kept)} more options, all dominated, not listed here (of 40)" in page


def test_the_value_summary_names_what_beats_the_first_then_counts_the_rest(group):
    valued = json.loads(run("value", group, "--format", "json", "--samples", "0"))
    dominated = [o for o in valued["options"] if o["dominated_by"]]
    assert len(dominated) > BEATEN_SAID
    beats = [s for s in valued["summary"] if " beats " in s and not s.startswith("And ")]
    names = {o["id"]: o["name"] for o in valued["options"]}
    assert beats == [
        f"{names[o['dominated_by']]} beats {o['name']}: " + s.split(": ", 1)[1]
        for o, s in zip(dominated[:BEATEN_SAID], beats, strict=True)
    ]
    more = len(dominated) - BEATEN_SAID
    assert (
        f"And {more} more options are dominated (each option's row names an option that beats "
        "it: dominated_by in --format json)." in valued["summary"]
    )


def test_the_value_chart_labels_the_frontier_and_says_the_rest_are_unlabelled(group, tmp_path):
    valued = json.loads(run("value", group, "--format", "json", "--samples", "0"))
    unlabelled = sum(1 for o in valued["options"] if not (o["frontier"] or o["status_quo"]))
    run("chart", "value", group, "-o", tmp_path / "v.svg", "--samples", "100")
    svg = (tmp_path / "v.svg").read_text()
    assert f"{unlabelled} dominated options are drawn without a label" in svg.replace("\n", " ")
    assert "<image" in svg  # the dominated markers as one picture
