"""`appraise combine` on the bundled LLR groups, against totals worked by hand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraise.cli import app

LLR = Path(__file__).resolve().parent.parent / "examples" / "llr"
FILES = sorted(str(p) for p in LLR.glob("llr-*.yaml"))
RULES = LLR / "rules.yaml"

# Indicative totals with the C&P weights (0.3, 0.25, 0.224, 0.226), by hand:
#   (3,3,3,4) = 3.226   (3,2,3,4) = 2.976   (3,2,2,4) = 2.752   (4,4,4,4) = 4.0
#   (3,3,3,3) = 3.0     (4,4,4,3) = 3.774   (3,3,3,2) = 2.774   (3,4,4,3) = 3.474
#   (4,4,4,2) = 3.548   (5,3,4,3) = 3.824   (4,3,4,2) = 3.298   (4,3,3,3) = 3.3
# Each group's own best, then the rules: Melton's expansion (4.0) needs Oakham's beds closed
# (3.0 instead of 3.226): 7.0 beats 6.452, so Oakham is forced. St Luke's (3.774) needs
# Lutterworth closed (2.774): 6.548 beats 6.202, so Lutterworth is forced. Coalville's cut and
# Loughborough's one ward both score 3.474 but only one may happen: two combinations tie.
BEST = 3.548 + 3.774 + 4.0 + 3.0 + 3.774 + 2.774 + 3.474 + 3.226 + 3.824 + 3.298  # 34.692


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def combine_json(*extra: object) -> dict:
    result = invoke("combine", *FILES, "--rules", RULES, "-f", "json", "--samples", 200, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_preferred_llr_configuration_and_its_tie():
    data = combine_json()
    first, second, third = data["combinations"][:3]
    assert (first["rank"], second["rank"], third["rank"]) == (1, 1, 3)
    assert first["total"] == pytest.approx(BEST)
    assert second["total"] == pytest.approx(BEST)
    pair = {
        (c["choice"]["llr-coalville"], c["choice"]["llr-loughborough"]) for c in (first, second)
    }
    assert pair == {("cut-beds", "status-quo"), ("status-quo", "one-ward")}
    for c in (first, second):
        assert c["choice"]["llr-oakham"] == "close-beds"
        assert c["choice"]["llr-lutterworth"] == "close-beds"
        assert c["choice"]["llr-acute"] == "three-to-two"
        assert c["choice"]["llr-evington"] == "stroke-ward"
    assert first["attributes"]["net_capital"] == pytest.approx(333763)


def test_the_explanation_names_the_rule_behind_each_forced_choice():
    data = combine_json()
    why = {e["group"]: e for e in data["explanation"]}
    assert why["llr-oakham"]["own_best"] == "status-quo"
    # Oakham's rule is the first in the file: rules[0], "rule 1" to a reader.
    assert why["llr-oakham"]["forced_by"] == [
        "rule 1 (requires llr-melton/expand -> llr-oakham/close-beds): Melton's four extra beds "
        "absorb Oakham's inpatients"
    ]
    assert (data["rules"][0]["index"], data["rules"][0]["number"]) == (0, 1)
    assert any("Lutterworth's beds" in text for text in why["llr-lutterworth"]["forced_by"])
    assert why["llr-melton"]["forced_by"] == []
    assert why["llr-melton"]["margin"] == pytest.approx(4.0 - 3.226)


def test_a_capital_limit_changes_the_choice_and_says_why():
    # Net capital of the best is 333,763 > 300,000. Dropping maternity's change costs
    # 3.774 - 2.752 = 1.022; dropping the acute move also drops Evington's ward:
    # (3.548 - 2.752) + (3.824 - 3.226) = 1.394. So maternity stays as it is.
    data = combine_json("--limit", "net_capital<=300000")
    best = data["combinations"][0]
    assert best["choice"]["llr-maternity"] == "status-quo"
    assert best["total"] == pytest.approx(BEST - 1.022)
    assert best["attributes"]["net_capital"] == pytest.approx(333763 - 65531)
    why = {e["group"]: e for e in data["explanation"]}
    assert any("net_capital" in text for text in why["llr-maternity"]["forced_by"])


def test_table_output_reads_as_a_cag_paper():
    result = invoke("combine", *FILES, "--rules", RULES, "--samples", 0)
    assert result.exit_code == 0, result.output
    assert "Top combinations" in result.stdout
    assert "The preferred combination, group by group" in result.stdout
    assert "llr-oakham takes close-beds rather than its own best, status-quo" in result.stdout


def test_rules_naming_unknown_options_are_errors_with_location(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - {requires: [llr-melton/expand, llr-oakham/demolish]}\n")
    result = invoke("combine", *FILES, "--rules", bad)
    assert result.exit_code == 1
    assert (
        f"{bad}: rules[0].requires[1]: group 'llr-oakham' has no option 'demolish'" in result.stderr
    )


def test_conflicting_rules_are_named(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "rules:\n"
        "  - {requires: [llr-melton/expand, llr-oakham/close-beds], note: expand needs close}\n"
        "  - {one_of: [llr-melton/expand, llr-harborough/new-building], note: one scheme}\n"
        "  - {excludes: [llr-oakham/close-beds, llr-melton/expand], note: never both}\n"
        "  - {one_of: [llr-melton/expand, llr-melton/status-quo], note: fine}\n"
        "  - {excludes: [llr-harborough/new-building, llr-hinckley/status-quo], note: hinckley}\n"
        "  - {excludes: [llr-harborough/new-building, llr-hinckley/close-district], note: any}\n"
    )
    result = invoke("combine", *FILES, "--rules", bad)
    assert result.exit_code == 1
    assert "no combination satisfies" in result.stderr
    for note in ("expand needs close", "one scheme", "never both", "hinckley", "any"):
        assert note in result.stderr
    assert "fine" not in result.stderr


def test_combining_groups_on_different_criteria_is_refused(tmp_path):
    indicative = Path(__file__).resolve().parent.parent / "examples" / "urgent-care-indicative.yaml"
    rescore = Path(__file__).resolve().parent.parent / "options" / "stroke-rehab.yaml"
    result = invoke("combine", indicative, rescore)
    assert result.exit_code == 1
    assert "combinations need every group on the same criteria" in result.stderr


def test_export_with_rules_adds_the_combinations_sheet(tmp_path):
    import openpyxl

    out = tmp_path / "cag.xlsx"
    result = invoke("export", *FILES, "--rules", RULES, "-o", out, "--no-sensitivity")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert {"Combinations", "Register"} <= set(book.sheetnames)
    rows = [r for r in book["Combinations"].iter_rows(values_only=True) if r and r[0] is not None]
    header = next(r for r in rows if r[0] == "Rank")
    first = rows[rows.index(header) + 1]
    assert (first[0], first[1]) == (1, pytest.approx(BEST))
    assert first[header.index("llr-oakham")] == "close-beds"
    why = next(r for r in rows if r[0] == "llr-oakham")
    assert why[5].startswith("rule 1 (requires llr-melton/expand")
    rules = rows[rows.index(next(r for r in rows if r[0] == "#")) + 1 :]
    assert rules[0][:3] == (1, "requires", "llr-melton/expand, llr-oakham/close-beds")


def test_tied_first_combinations_are_counted_together_in_the_simulation():
    data = combine_json()
    shares = data["smaa"]["best_share"]
    assert shares[0] == pytest.approx(shares[1])  # identical scores: the tie holds in every sample
    from appraise.weights import percent_text

    together = percent_text(shares[0] + shares[1], 0)
    assert data["summary"][-1].startswith(
        f"Together the 2 tied first combinations are best in {together}% of 200"
    )


def test_combine_and_export_repeat_the_rule_warnings_check_gives(tmp_path):
    """A 'requires' inside one group can never be met, and at_most 2 of 2 never binds: both
    are warnings in `check`, and `combine` and `export --rules` print them too: the first
    bars an option, so it is shown; the second changes nothing, so it is counted, and listed
    with --verbose."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - requires: [llr-melton/expand, llr-melton/status-quo]\n"
        "  - at_most: 2\n"
        "    of: [llr-coalville/cut-beds, llr-loughborough/one-ward]\n"
    )
    shown = (
        f"note: {rules}: rules[0]: 'requires' links options of the same group, but only one "
        "option per group is chosen"
    )
    counted = f"note: {rules}: rules[1].at_most: at_most 2 of 2 options never binds"
    for args in (
        ("combine", *FILES, "--rules", rules, "--samples", 50),
        ("export", *FILES, "--rules", rules, "-o", tmp_path / "cag.xlsx", "--no-sensitivity"),
    ):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        notes = " ".join(result.stderr.split())
        assert shown in notes, args[0]
        assert counted not in notes, args[0]
        assert "1 on rules that never bind" in notes, args[0]
        (tmp_path / "cag.xlsx").unlink(missing_ok=True)
        verbose = " ".join(invoke(*args, "--verbose").stderr.split())
        assert counted in verbose, args[0]
        assert verbose.index(shown) < verbose.index(counted), args[0]


def test_csv_and_markdown_show_no_float_noise():
    """The two tied totals are both 34.692 (BEST); sums by hand from the files' attributes:
    beds -243 (acute) - 12 (Coalville's cut) + 4 (Melton) = -251, or -239 without the cut;
    net capital 333,763 (as above); recurrent saving 25,600 (acute)."""
    csv_out = invoke("combine", *FILES, "--rules", RULES, "-f", "csv", "--samples", 10).stdout
    assert csv_out.splitlines()[:3] == [
        "rank,total,llr-acute,llr-coalville,llr-evington,llr-harborough,llr-hinckley,"
        "llr-loughborough,llr-lutterworth,llr-maternity,llr-melton,llr-oakham,"
        "sum_net_capital,sum_beds,sum_recurrent_saving",
        "1,34.692,three-to-two,cut-beds,stroke-ward,new-building,close-district,status-quo,"
        "close-beds,lri-only,expand,close-beds,333763,-251,25600",
        "1,34.692,three-to-two,status-quo,stroke-ward,new-building,close-district,one-ward,"
        "close-beds,lri-only,expand,close-beds,333763,-239,25600",
    ]
    md = invoke("combine", *FILES, "--rules", RULES, "-f", "markdown", "--samples", 10).stdout
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert table[1].endswith("| ---: | ---: | ---: |")
    assert table[2] == (
        "| 1 | 34.692 | three-to-two | cut-beds | stroke-ward | new-building | close-district "
        "| status-quo | close-beds | lri-only | expand | close-beds | 333,763 | -251 | 25,600 |"
    )


def test_attribute_sums_read_as_people_write_them():
    from appraise.present.combine import attribute_text

    assert [attribute_text(v) for v in (333763.0, -251.0, 1250.5, 0.12345, -0.0001, 0.0)] == [
        "333,763",
        "-251",
        "1,250.5",
        "0.123",
        "0",
        "0",
    ]


def test_a_tie_for_first_and_a_weight_set_with_no_effect_are_said_plainly():
    """The LLR groups are scored on the four criteria (indicative), so 'access-up', which moves
    only sub-criteria, changes nothing; Coalville's cut and Loughborough's one ward tie (both
    3.474, only one allowed), so the two first combinations differ in those two groups."""
    data = combine_json()
    assert data["summary"][1] == (
        "The tied combinations differ in llr-coalville and llr-loughborough; what follows "
        "explains the first of them, and either choice there is as good."
    )
    idle = {w["name"]: w["no_effect"] for w in data["weight_sets"]}
    assert idle == {
        "equal": False,
        "clinical": False,
        "finance": False,
        "patient-public": False,
        "access-up": True,
    }
    assert (
        "Weight set 'access-up' changes no weight these files are scored against, so says "
        "nothing either way."
    ) in data["summary"]


# --- groups on different scales: the bundled C&P groups (three on 1..5, stroke-rehab on -2..2)

ROOT = Path(__file__).resolve().parent.parent
CP = sorted(str(p) for p in (ROOT / "options").glob("*.yaml"))
CP_RULES = ROOT / "examples" / "rules.yaml"
SCALES = "community-rehab, planned-care and urgent-care on 1..5; stroke-rehab on -2..2"


def rank_totals() -> dict[str, dict[str, float]]:
    """Each group's totals as `rank --format json` gives them."""
    result = invoke("rank", *CP, "-f", "json")
    assert result.exit_code == 0, result.output
    return {
        path.rsplit("/", 1)[-1].removesuffix(".yaml"): {o["id"]: o["total"] for o in g["options"]}
        for path, g in zip(CP, json.loads(result.stdout), strict=True)
    }


@pytest.mark.parametrize("command", ["combine", "export"])
def test_groups_on_different_scales_are_refused_naming_the_scales_and_rescale(tmp_path, command):
    out = tmp_path / "cag.xlsx"
    extra = ["-o", out, "--no-sensitivity"] if command == "export" else []
    result = invoke(command, *CP, "--rules", CP_RULES, *extra)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: ")
    assert errors[0].endswith(
        "stroke-rehab.yaml: scale: the groups score on different scales "
        f"({SCALES}), so their totals cannot be added as they are; add --rescale to put each "
        "group's totals on 0-1 of its own scale (0 = the bottom of the scale on every "
        "criterion, 1 = the top) before adding them"
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_rescaled_combinations_keep_rank_totals_per_group_and_name_the_unit():
    """The issue's case: Rural urgent primary care hubs is 3.80 in `rank`, (3.80 - 1) / 4 =
    0.70 rescaled; the combination's figure is the sum of the four groups' rescaled totals."""
    totals = rank_totals()
    result = invoke("combine", *CP, "--rules", CP_RULES, "--rescale", "--samples", 0, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    explained = {e["group"]: e for e in data["explanation"]}
    hubs = explained["urgent-care"]
    assert hubs["option"] == "rural-hubs"
    assert hubs["total"] == pytest.approx(totals["urgent-care"]["rural-hubs"])
    assert hubs["rescaled_total"] == pytest.approx((totals["urgent-care"]["rural-hubs"] - 1) / 4)
    stroke = explained["stroke-rehab"]
    assert stroke["rescaled_total"] == pytest.approx(
        (totals["stroke-rehab"][stroke["option"]] + 2) / 4
    )
    first = data["combinations"][0]
    assert "total" not in first
    assert first["rescaled_total"] == pytest.approx(
        sum(e["rescaled_total"] for e in explained.values())
    )
    assert data["figure"]["unit"] == "0-1 per group"
    assert all("rescaled_total" in w and "total" not in w for w in data["weight_sets"])


def test_rescaled_table_labels_every_combination_figure():
    result = invoke("combine", *CP, "--rules", CP_RULES, "--rescale", "--samples", 0)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "• The preferred configuration has a rescaled total of 2.60 of a possible 4" in text
    assert "Top combinations by rescaled total" in text
    assert "\nrescaled total " in text
    assert "The preferred combination, group by group (0-1: its total rescaled)" in text
    hubs = [line for line in text.splitlines() if line.startswith("urgent-care ")][-1]
    assert "│  3.80 │" in hubs
    assert hubs.rstrip().endswith("│ 0.70")  # at 80 columns the rule follows the choice
    assert "Best combination under each weight set (rescaled totals)" in text
    assert "Rescaled total" in text


def test_rescaled_csv_and_markdown_name_the_figure():
    result = invoke("combine", *CP, "-r", CP_RULES, "--rescale", "--samples", 0, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("rank,rescaled_total,community-rehab,")
    md = invoke("combine", *CP, "-r", CP_RULES, "--rescale", "--samples", 0, "-f", "markdown")
    assert md.exit_code == 0, md.output
    assert "| rank | rescaled_total | community-rehab |" in md.stdout
    assert "- Each combination's figure is its rescaled total, in 0-1 per group: " in md.stdout


def test_export_rescaled_combinations_sheet_and_validation_name_the_rescaling(tmp_path):
    import openpyxl

    totals = rank_totals()
    out = tmp_path / "cag.xlsx"
    args = ("export", *CP, "--rules", CP_RULES, "--rescale", "-o", out, "--no-sensitivity")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    rows = [r for r in book["Combinations"].iter_rows(values_only=True) if r and r[0] is not None]
    header = next(r for r in rows if r[0] == "Rank")
    assert header[1] == "Rescaled total (0-1 per group)"
    assert any(
        str(r[0]).startswith("Each combination's figure is its rescaled total") for r in rows
    )
    explained = next(r for r in rows if r[0] == "Group")
    assert explained[:6] == ("Group", "Choice", "Total", "Margin", "Scale", "Rescaled total (0-1)")
    hubs = next(r for r in rows if r[0] == "urgent-care")
    assert hubs[2] == pytest.approx(totals["urgent-care"]["rural-hubs"])  # as Summary and Totals
    assert hubs[4:6] == ("1..5", pytest.approx((totals["urgent-care"]["rural-hubs"] - 1) / 4))
    found = {
        r[1]: r[5] for r in book["Validation"].iter_rows(values_only=True) if r[0] == "rescaled"
    }
    assert set(found) == {"community-rehab", "planned-care", "stroke-rehab", "urgent-care"}
    assert "from its -2..2 scale to 0-1, (total + 2) / 4" in found["stroke-rehab"]
    assert "from its 1..5 scale to 0-1, (total - 1) / 4" in found["urgent-care"]


def test_export_on_one_scale_says_its_combination_figure_is_the_total(tmp_path):
    import openpyxl

    out = tmp_path / "cag.xlsx"
    result = invoke("export", *FILES, "--rules", RULES, "-o", out, "--no-sensitivity")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    rows = [r for r in book["Combinations"].iter_rows(values_only=True) if r and r[0] is not None]
    assert next(r for r in rows if r[0] == "Rank")[1] == "Total"
    assert (
        "Each combination's figure is its total, in points on the 1..5 scale: the chosen "
        "options' totals, as rank gives them, added."
    ) in [r[0] for r in rows]
    assert not [r for r in book["Validation"].iter_rows(values_only=True) if r[0] == "rescaled"]


def test_export_combinations_take_the_export_samples_and_say_they_are_fixed(tmp_path):
    """`export --samples 200`: the Combinations sheet's simulation runs 200 samples too (it ran
    1,000 whatever was asked), and the sheet says its figures do not follow later weight edits,
    unlike the Totals sheets' formulas."""
    import openpyxl

    out = tmp_path / "cag.xlsx"
    result = invoke("export", *FILES, "--rules", RULES, "-o", out, "--samples", "200")
    assert result.exit_code == 0, result.output
    rows = [r[0] for r in openpyxl.load_workbook(out)["Combinations"].iter_rows(values_only=True)]
    sentences = [r for r in rows if isinstance(r, str)]
    assert any("of 200 simulated weightings" in s for s in sentences), sentences
    assert not any("1,000 simulated" in s for s in sentences)
    (fixed,) = [s for s in sentences if s.startswith("As exported")]
    assert "do not follow later edits of the workbook's scores or weights" in fixed
    # The inputs' hash it quotes is the Audit sheet's, over every input file's SHA-256.
    audit = openpyxl.load_workbook(out)["Audit"]
    files = {
        r[0]: r
        for r in audit.iter_rows(values_only=True)
        if r[0] in {"scores", "all inputs", "criteria", "input"}
    }
    digest = files["all inputs"][3]
    assert f"whose SHA-256 is {digest} " in fixed
    listed = [
        f"{r[3]}  {r[1]}\n"
        for r in audit.iter_rows(values_only=True)
        if r[0] in {"scores", "criteria", "input"} and isinstance(r[3], str)
    ]
    assert hashlib.sha256("".join(listed).encode()).hexdigest() == digest
