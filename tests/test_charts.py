"""Charts as pictures (appraise.present.charts, `appraise chart`): what each Figure draws,
checked against hand-worked figures, and the files written (SVG, PNG) and refused."""

from __future__ import annotations

import hashlib
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraise import api
from appraise.cli import app
from appraise.errors import InputError, ParameterError
from appraise.io.safe_write import OutputError
from appraise.present import charts

from .conftest import TWO_CRITERIA

runner = CliRunner()

# The demo group with costs (CONTRACT 1.5). Totals as conftest works them: x 3.4, y 3.2, z 3.0;
# w: 0.6*2 + 0.4*2 = 2.0, with no cost.
# Frontier by hand: z (cost 1) is the cheapest; x (cost 4, 3.4) has the highest benefit, so
# nothing beats it; y (cost 5, 3.2) is beaten by x (more benefit, less cost): dominated by x.
COSTED = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: x, name: Option X, scores: {a: 5, b: 1}, cost: {capital: 4.0, unit: "GBP m"}}
  - {id: y, name: Option Y, scores: {a: 2, b: 5}, cost: {capital: 5.0, unit: "GBP m"}}
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3}, cost: {capital: 1.0, unit: "GBP m"}}
  - {id: w, name: Option W, scores: {a: 2, b: 2}}
"""

# A second group on the same criteria: p = 0.6*1 + 0.4*5 = 2.6, q = 4 whatever the weights.
OTHER = """\
group: other
name: Other group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: p, name: Option P, scores: {a: 1, b: 5}}
  - {id: q, name: Option Q, status_quo: true, scores: {a: 4, b: 4}}
"""
RULES = """\
rules:
  - {excludes: [demo/x, other/q]}
"""

# Three criteria, for the nearest threshold. x: 0.5*5 + 0.3*1 + 0.2*3 = 3.4 leads y (3.0).
THREE = """\
title: Three criteria
criteria:
  - {id: a, name: Criterion A, weight: 50}
  - {id: b, name: Criterion B, weight: 30}
  - {id: c, name: Criterion C, weight: 20}
"""
THREE_SCORES = """\
group: three
name: Three group
criteria: three.yaml
scale: {min: 1, max: 5}
options:
  - {id: x, name: Option X, scores: {a: 5, b: 1, c: 3}}
  - {id: y, name: Option Y, scores: {a: 3, b: 3, c: 3}}
"""


def invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ranked(path: Path, **policy):
    return api.rank(api.load_scores(path), **policy)


def sha12(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def footnote(figure) -> str:
    (text,) = [t.get_text() for t in figure.texts if t.get_gid() == "appraise-footnote"]
    return " ".join(text.split())  # wrapped lines joined


@pytest.fixture
def costed(write):
    write("two.yaml", TWO_CRITERIA)
    return write("costed.yaml", COSTED)


# --- 1. contributions ------------------------------------------------------------------------


def test_contributions_bars_are_each_criterions_weight_times_score(demo):
    """TWO_CRITERIA by hand: x a 0.6*5 = 3.0, b 0.4*1 = 0.4; y a 1.2, b 2.0; z a 1.8, b 1.2.
    Options from the top in rank order, each bar's second segment starting where the first
    ends, the total at the bar's end."""
    figure = charts.contributions_chart(ranked(demo))
    (ax,) = figure.axes
    a, b = ax.containers
    assert a.get_label() == "Criterion A"
    assert b.get_label() == "Criterion B"
    assert [p.get_width() for p in a] == pytest.approx([3.0, 1.2, 1.8])
    assert [p.get_width() for p in b] == pytest.approx([0.4, 2.0, 1.2])
    assert [p.get_x() for p in b] == pytest.approx([3.0, 1.2, 1.8])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "1. Option X",
        "2. Option Y",
        "3. Option Z (status quo)",
    ]
    assert ax.yaxis_inverted()  # rank 1 at the top
    totals = sorted((t.get_gid(), t.get_text()) for t in ax.texts if t.get_gid())
    assert totals == [("total-0", "3.40"), ("total-1", "3.20"), ("total-2", "3.00")]
    assert a[0].get_hatch() != b[0].get_hatch()  # segments differ in greyscale too
    assert figure.get_label() == "Demo group: contributions to each option's total"


def test_contributions_follow_the_weight_set_and_say_so(demo):
    """Weight set flip (a 40, b 60): x a 0.4*5 = 2.0, b 0.6*1 = 0.6 (2.6); y a 0.8, b 3.0
    (3.8, first); z 1.2, 1.8 (3.0)."""
    figure = charts.contributions_chart(ranked(demo, weights="flip"))
    a, b = figure.axes[0].containers
    assert [p.get_width() for p in a] == pytest.approx([0.8, 1.2, 2.0])  # y, z, x
    assert [p.get_width() for p in b] == pytest.approx([3.0, 1.8, 0.6])
    assert "Weights: weight set 'flip'." in footnote(figure)


def test_one_off_weights_are_named_in_the_footnote(demo, tmp_path):
    """--weight a=50 with b's 40: a 5/9, b 4/9. Totals y 10/9 + 20/9 = 3.33, x 25/9 + 4/9 = 3.22,
    z 3; a's segments in that order 10/9, 25/9, 15/9."""
    figure = charts.contributions_chart(ranked(demo, weights_given={"a": 50}))
    a, _ = figure.axes[0].containers
    assert [p.get_width() for p in a] == pytest.approx([10 / 9, 25 / 9, 15 / 9])
    assert "Weights: the criteria file's own, with one-off a=50." in footnote(figure)


def test_negative_contributions_stack_leftwards_from_zero(write):
    """On -2..2: v scores a -2, b 1: a -1.2 (from 0 to -1.2), b 0.4 (from 0 to 0.4); total -0.8."""
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "neg.yaml",
        """\
        group: neg
        name: Negative
        criteria: two.yaml
        scale: {min: -2, max: 2}
        options:
          - {id: v, name: V, scores: {a: -2, b: 1}}
        """,
    )
    (ax,) = charts.contributions_chart(ranked(path)).axes
    a, b = ax.containers
    assert (a[0].get_x(), a[0].get_width()) == pytest.approx((0.0, -1.2))
    assert (b[0].get_x(), b[0].get_width()) == pytest.approx((0.0, 0.4))
    assert [t.get_text() for t in ax.texts if t.get_gid()] == ["-0.80"]


# --- 2. one-way sensitivity ------------------------------------------------------------------


def line_ends(figure) -> dict[str, tuple[list[float], list[float]]]:
    (ax,) = figure.axes
    return {
        line.get_gid().removeprefix("line-"): (list(line.get_xdata()), list(line.get_ydata()))
        for line in ax.get_lines()
        if (line.get_gid() or "").startswith("line-")
    }


def test_sensitivity_lines_run_from_the_totals_with_none_to_all_of_the_weight(demo):
    """Criterion a's weight at 0 (all on b): x 1, y 5, z 3; at 100%: x 5, y 2, z 3.
    Crossings by hand: x-z where 1 + 4t = 3, t = 50%; x-y where 1 + 4t = 5 - 3t, t = 4/7 = 57%;
    y-z where 5 - 3t = 3, t = 2/3 = 67%. Today's weight 60%."""
    figure = charts.sensitivity_chart(ranked(demo), "a")
    ends = line_ends(figure)
    assert ends == {
        "x": ([0.0, 100.0], pytest.approx([1.0, 5.0])),
        "y": ([0.0, 100.0], pytest.approx([5.0, 2.0])),
        "z": ([0.0, 100.0], pytest.approx([3.0, 3.0])),
    }
    (ax,) = figure.axes
    crossings = sorted(
        t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("crossing-")
    )
    assert crossings == ["50%", "57%", "67%"]
    (today,) = [line for line in ax.get_lines() if line.get_gid() == "today"]
    assert list(today.get_xdata()) == pytest.approx([60.0, 60.0])
    note = footnote(figure)
    assert "at 50.0% Option X overtakes Option Z" in note
    assert "at 57.1% Option X overtakes Option Y" in note
    assert "at 66.7% Option Z overtakes Option Y" in note
    assert "Weight of Criterion A (a)" in ax.get_xlabel().replace("\n", " ")
    assert ax.get_ylabel() == "Total (1 to 5 scale)"


def test_sensitivity_defaults_to_the_criterion_whose_threshold_is_nearest(write):
    """x leads y. Worked by hand, the others in proportion:
    a (today 0.5): x = 1.8 + 3.2t against y's 3, so x leads down to t = 0.375: 0.125 away.
    b (today 0.3): x = 31/7 - 24/7 t, so x leads up to t = 10/24 = 0.4167: 0.1167 away.
    c (today 0.2): x = 3.5 - 0.5t never drops below 3 inside the range: no threshold.
    Nearest: b."""
    write("three.yaml", THREE)
    ranking = ranked(write("scores.yaml", THREE_SCORES))
    assert charts.default_criterion(ranking) == "b"
    figure = charts.sensitivity_chart(ranking)
    assert line_ends(figure)["x"][1] == pytest.approx([31 / 7, 1.0])
    assert "Criterion B is drawn as the criterion whose threshold lies nearest" in footnote(figure)


def test_sensitivity_of_an_unknown_criterion_names_the_parameter(demo):
    with pytest.raises(ParameterError) as caught:
        charts.sensitivity_chart(ranked(demo), "q")
    assert caught.value.parameter == "criterion"
    assert "'q' is no criterion of" in caught.value.message


# --- 3. rank acceptability -------------------------------------------------------------------


def test_acceptability_segments_are_smaas_shares_and_sum_to_one_per_option(demo):
    ranking = ranked(demo)
    smaa = api.sensitivity(ranking, only=["smaa"], samples=2_000, seed=3).smaa
    figure = charts.acceptability_chart(ranking, smaa)
    (ax,) = figure.axes
    assert [c.get_label() for c in ax.containers] == ["rank 1", "rank 2", "rank 3"]
    widths = [[p.get_width() for p in c] for c in ax.containers]  # rank x option
    for option in range(3):
        assert sum(w[option] for w in widths) == pytest.approx(1.0)
        assert [w[option] for w in widths] == pytest.approx(list(smaa.rank_acceptability[option]))
    note = footnote(figure)
    assert "Simulation: 2,000 weight draws (uniform, scores fixed), seed 3" in note
    assert "over 2,000 simulated weightings" in figure.get_label()


def many_options(write, count: int) -> Path:
    """``count`` options o0, o1, ... with a falling from 5 and b rising from 1: all distinct."""
    write("two.yaml", TWO_CRITERIA)
    rows = "\n".join(
        f"  - {{id: o{k}, name: Option {k}, scores: {{a: {5 - 4 * k / count}, "
        f"b: {1 + 3 * k / count}}}}}"
        for k in range(count)
    )
    head = "group: many\nname: Many\ncriteria: two.yaml\nscale: {min: 1, max: 5}\noptions:\n"
    return write("many.yaml", head + rows + "\n")


def test_acceptability_of_many_options_lumps_the_lower_ranks_and_still_sums_to_one(write):
    """12 options: ranks 1 to 7 each a segment, then one for ranks 8 to 12."""
    ranking = ranked(many_options(write, 12))
    smaa = api.sensitivity(ranking, only=["smaa"], samples=300).smaa
    (ax,) = charts.acceptability_chart(ranking, smaa).axes
    labels = [c.get_label() for c in ax.containers]
    assert labels == [*(f"rank {r}" for r in range(1, 8)), "rank 8 or lower"]
    widths = [[p.get_width() for p in c] for c in ax.containers]
    for option in range(12):
        assert sum(w[option] for w in widths) == pytest.approx(1.0)
        assert widths[-1][option] == pytest.approx(smaa.rank_acceptability[option, 7:].sum())


def test_a_long_ranking_draws_the_first_30_bars_and_says_so(write):
    ranking = ranked(many_options(write, 35))
    figure = charts.contributions_chart(ranking)
    a, _ = figure.axes[0].containers
    assert len(a) == 30
    assert "The first 30 of 35 options by rank are drawn." in footnote(figure)


# --- 4. value --------------------------------------------------------------------------------


def offsets(figure, gid: str) -> list[tuple[float, float]]:
    (ax,) = figure.axes
    (found,) = [c for c in ax.collections if c.get_gid() == gid]
    return [tuple(map(float, row)) for row in found.get_offsets()]


def test_value_points_are_cost_and_total_with_the_frontier_worked_by_hand(costed):
    value = api.value(ranked(costed), samples=0)
    figure = charts.value_chart(value)
    assert offsets(figure, "frontier") == [(1.0, pytest.approx(3.0)), (4.0, pytest.approx(3.4))]
    assert offsets(figure, "dominated") == [(5.0, pytest.approx(3.2))]
    (ax,) = figure.axes
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "frontier-line"]
    assert list(line.get_xdata()) == [1.0, 4.0]
    assert ax.get_xlabel() == "Cost: capital (GBP m)"
    assert ax.get_ylabel() == "Benefit: the total (1 to 5 scale)"
    labels = [t.get_text().replace("\n", " ") for t in ax.texts]
    assert "Option Y dominated by Option X" in labels
    assert "Not drawn, no capital cost given: Option W." in footnote(figure)
    assert "Simulation" not in footnote(figure)  # no draws, so no seed to cite


def test_value_above_the_status_quo_takes_its_total_off_and_says_so(costed):
    """Benefit above z's 3.0: z 0, x 0.4, y 0.2; the frontier does not move."""
    figure = charts.value_chart(api.value(ranked(costed), above_status_quo=True, samples=500))
    assert offsets(figure, "frontier") == [(1.0, pytest.approx(0.0)), (4.0, pytest.approx(0.4))]
    assert offsets(figure, "dominated") == [(5.0, pytest.approx(0.2))]
    label = " ".join(figure.axes[0].get_ylabel().split())
    assert label == "Benefit above the status quo: total less Option Z's 3.00 (1 to 5 scale)"
    assert "Simulation: 500 weight draws (uniform), seed 1" in footnote(figure)


# --- 5. combinations -------------------------------------------------------------------------


def test_combinations_bars_are_each_combinations_share_and_the_rest(demo, write):
    """With w = the weight of a (uniform draws, u in 0..1), the totals are x 1 + 4u, y 5 - 3u,
    z 3, p 5 - 4u, q 4, and x-with-q is excluded. So yp (10 - 7u) is best for u < 1/4, yq
    (9 - 3u) for 1/4 < u < 2/3 and zq (7) above: shares 1/4, 5/12, 1/3. Today (u = 0.6) the
    top three are yq 7.2, zq 7.0, xp 6.0, so yp's draws go to "another combination"."""
    other = write("other.yaml", OTHER)
    rules = write("rules.yaml", RULES)
    result = api.combine([ranked(demo), ranked(other)], rules, top=3, samples=4_000)
    figure = charts.combinations_chart(result, rules)
    (ax,) = figure.axes
    (bars,) = ax.containers
    widths = [p.get_width() for p in bars]
    assert widths[:3] == list(result.simulation.shares)
    assert widths[3] == pytest.approx(1 - sum(result.simulation.shares))
    assert widths == pytest.approx([5 / 12, 1 / 3, 0.0, 1 / 4], abs=0.03)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "A: rank 1 (total 7.20)",
        "B: rank 2 (total 7.00)",
        "C: rank 3 (total 6.00)",
        "another combination",
    ]
    note = footnote(figure)
    assert "A chooses demo: y; other: q." in note
    assert "B differs from A in demo: z." in note
    assert f"rules rules.yaml (SHA-256 {sha12(rules)})" in note


def test_combinations_without_draws_is_refused(demo, write):
    other = write("other.yaml", OTHER)
    result = api.combine([ranked(demo), ranked(other)], write("rules.yaml", RULES), samples=0)
    with pytest.raises(ParameterError) as caught:
        charts.combinations_chart(result)
    assert caught.value.parameter == "samples"


# --- provenance ------------------------------------------------------------------------------


def test_the_footnote_cites_each_input_with_its_sha256(demo, tmp_path):
    note = footnote(charts.contributions_chart(ranked(demo)))
    criteria = tmp_path / "two.yaml"
    assert f"Inputs: demo.yaml (SHA-256 {sha12(demo)}); criteria two.yaml (SHA-256 " in note
    assert f"{sha12(criteria)})." in note
    assert "Weights: the criteria file's own." in note
    assert "ILLUSTRATIVE" not in note


def test_illustrative_scores_are_said_first(write, demo):
    marked = write("marked.yaml", demo.read_text() + "illustrative: true\n")
    note = footnote(charts.contributions_chart(ranked(marked)))
    assert note.startswith("ILLUSTRATIVE SCORES")


# --- files -----------------------------------------------------------------------------------


def test_svg_is_xml_with_the_title_and_footnote_and_nothing_external(demo):
    text = charts.svg_text(charts.sensitivity_chart(ranked(demo), "a"))
    root = ET.fromstring(text)
    svg = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{svg}svg"
    title = root.find(f"{svg}title")
    assert title is not None
    assert title.text == (
        "Demo group: each option's total as the weight of Criterion A runs from 0% to 100%"
    )
    (description,) = root.iter("{http://purl.org/dc/elements/1.1/}description")
    assert f"demo.yaml (SHA-256 {sha12(demo)})" in description.text
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), (name, value)  # glyphs defined in the file
            assert "http" not in value, (name, value)
    # The only http text left is the XML namespaces' names (not fetched by anyone).
    assert set(re.findall(r'(\S+)="http', text)) <= {"xmlns", "xmlns:xlink", "xmlns:dc"} | {
        "xmlns:cc",
        "xmlns:rdf",
    }
    assert "<!DOCTYPE" not in text
    assert "@font-face" not in text
    assert "<text" not in text  # glyphs as paths: no font needed
    assert "<!-- Demo group: each option" in text  # but the words are there to search


def test_svg_is_byte_identical_from_run_to_run(demo, tmp_path):
    first = charts.svg_text(charts.contributions_chart(ranked(demo)))
    second = charts.svg_text(charts.contributions_chart(ranked(demo)))
    assert first == second
    one, two = tmp_path / "one.svg", tmp_path / "two.svg"
    assert invoke("chart", "contributions", demo, "-o", one).exit_code == 0
    assert invoke("chart", "contributions", demo, "-o", two).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    assert one.read_text(encoding="utf-8").startswith('<?xml version="1.0"')


def test_svg_from_another_process_is_the_same(demo, tmp_path):
    """No timestamp, no random id: a second Python gives the same bytes."""
    out = tmp_path / "other.svg"
    code = (
        "from appraise import api; from appraise.present import charts; "
        f"r = api.rank(api.load_scores({str(demo)!r})); "
        f"charts.save_chart(charts.contributions_chart(r), {str(out)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    here = tmp_path / "here.svg"
    charts.save_chart(charts.contributions_chart(ranked(demo)), here)
    assert out.read_bytes() == here.read_bytes()


def test_png_has_the_signature_and_the_figures_size_at_150_dpi(demo, tmp_path):
    figure = charts.contributions_chart(ranked(demo))
    out = charts.save_chart(figure, tmp_path / "c.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1350, round(figure.get_figheight() * 150))
    assert figure.get_figwidth() == 9.0


def test_a_name_with_markup_characters_is_drawn_as_written(write):
    """'$' would start mathtext, '<' and '&' would break XML if not escaped."""
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "odd.yaml",
        """\
        group: odd
        name: Costs $5m & <more>
        criteria: two.yaml
        scale: {min: 1, max: 5}
        options:
          - {id: v, name: "A $x$ -- <b>", scores: {a: 2, b: 3}}
        """,
    )
    text = charts.svg_text(charts.contributions_chart(ranked(path)))
    root = ET.fromstring(text)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title.text == "Costs $5m & <more>: contributions to each option's total"


def test_save_chart_refuses_another_suffix_and_an_existing_file(demo, tmp_path):
    figure = charts.contributions_chart(ranked(demo))
    with pytest.raises(ParameterError, match=r"give a name ending in \.png or \.svg"):
        charts.save_chart(figure, tmp_path / "c.pdf")
    out = tmp_path / "c.svg"
    out.write_text("mine")
    with pytest.raises(OutputError, match="already exists"):
        charts.save_chart(figure, out)
    assert out.read_text() == "mine"
    charts.save_chart(figure, out, True)
    assert out.read_text().startswith("<?xml")
    with pytest.raises(OutputError, match="input file"):
        charts.save_chart(figure, tmp_path / "x.svg", inputs=[tmp_path / "x.svg"])


def test_importing_the_module_loads_no_matplotlib():
    code = "import sys, appraise.present.charts, appraise; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_chart_help_loads_no_matplotlib():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from appraise.cli import app\n"
        "assert CliRunner().invoke(app, ['chart', '--help']).exit_code == 0\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("contributions", []),
        ("sensitivity", ["--criterion", "b"]),
        ("acceptability", ["--samples", "300", "--seed", "5"]),
        ("value", ["--cost", "capital", "--above-status-quo", "--samples", "200"]),
    ],
)
def test_chart_writes_each_kind_and_says_so_in_one_line(costed, tmp_path, kind, extra):
    out = tmp_path / f"{kind}.svg"
    result = invoke("chart", kind, costed, "-o", out, *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"Wrote {out} ({kind} chart)"
    ET.fromstring(out.read_text(encoding="utf-8"))


def test_chart_combinations(demo, write, tmp_path):
    other = write("other.yaml", OTHER)
    rules = write("rules.yaml", RULES)
    out = tmp_path / "k.png"
    result = invoke("chart", "combinations", demo, other, "-r", rules, "-o", out, "--top", "3")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_refuses_an_existing_file_without_force(demo, tmp_path):
    out = tmp_path / "c.png"
    out.write_bytes(b"mine")
    result = invoke("chart", "contributions", demo, "-o", out)
    assert result.exit_code == 1
    assert result.stderr == f"error: {out}: already exists; use --force to replace it\n"
    assert out.read_bytes() == b"mine"
    result = invoke("chart", "contributions", demo, "-o", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


def usage_error(result) -> str:
    lines = [line.strip().strip("│").strip() for line in result.stderr.splitlines()]
    inside = [line for line in lines if line and not line.startswith(("╭", "╰", "Usage", "Try"))]
    return " ".join(inside)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bogus"], "Invalid value for 'KIND'"),
        (["sensitivity", "--criterion", "q"], "'q' is no criterion of"),
        (["combinations"], "the combinations chart needs the rules: give --rules FILE"),
        (["contributions", "--criterion", "a"], "is for the sensitivity chart, not contributions"),
        (["sensitivity", "--cost", "capital"], "is for the value chart, not sensitivity"),
        (["value", "--rules", "r.yaml"], "is for the combinations chart, not value"),
    ],
)
def test_chart_usage_errors_exit_2(demo, tmp_path, args, message):
    result = invoke("chart", args[0], demo, *args[1:], "-o", tmp_path / "c.png")
    assert result.exit_code == 2, result.stderr
    assert message in usage_error(result)
    assert not (tmp_path / "c.png").exists()


def test_chart_value_of_an_unknown_cost_figure_names_the_option(costed, tmp_path):
    result = invoke("chart", "value", costed, "--cost", "revenue", "-o", tmp_path / "v.png")
    assert result.exit_code == 2
    message = usage_error(result)
    assert message.startswith("Invalid value for '--cost': no option of")
    assert message.endswith("gives 'revenue': it gives capital")


def test_chart_refuses_another_suffix_before_any_work(demo, tmp_path):
    result = invoke("chart", "contributions", demo, "-o", tmp_path / "c.pdf")
    assert result.exit_code == 2
    assert "give a name ending in .png or .svg for a chart, not 'c.pdf'" in usage_error(result)


def test_chart_of_one_group_refuses_several_files(demo, write, tmp_path):
    other = write("other.yaml", OTHER)
    result = invoke("chart", "contributions", demo, other, "-o", tmp_path / "c.png")
    assert result.exit_code == 2
    assert "the contributions chart draws one group: give one scores file" in usage_error(result)


def test_chart_value_with_no_costs_is_the_inputs_fault(demo, tmp_path):
    result = invoke("chart", "value", demo, "-o", tmp_path / "v.png")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {demo}: options: no option gives a cost")
    assert not (tmp_path / "v.png").exists()


def test_value_chart_needs_a_cost_in_the_library_too(demo):
    with pytest.raises(InputError, match="no option gives a cost"):
        api.value(ranked(demo))
