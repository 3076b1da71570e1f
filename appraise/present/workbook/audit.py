"""The Validation and Audit sheets: every finding, and what the workbook was made from."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib import metadata

from openpyxl.worksheet.worksheet import Worksheet

from appraise import __version__
from appraise.analysis.scoring import Ranking
from appraise.io.files import sha256_of
from appraise.io.xlsx_cells import put_number, put_row, put_text
from appraise.present.workbook.context import HEADER_ROW, Finding, Styles, WorkbookContext
from appraise.present.workbook.sensitivity import analyses_run
from appraise.present.workbook.tables import (
    long_table,
    scale_text,
    set_widths,
    write_header,
    write_title,
)
from appraise.weights import percent_text

AUDITED_PACKAGES = ("numpy", "pandas", "openpyxl", "pydantic", "PyYAML")


# --- Validation ----------------------------------------------------------------------------


def _validation_rows(context: WorkbookContext) -> list[tuple[str, ...]]:
    """(kind, group, file, option, criterion, message) for every finding, tree notes once."""
    tree = context.tree
    rows: list[tuple[str, ...]] = [
        ("criteria note", "", tree.path, "", "", note) for note in tree.notes
    ]
    for ranking in context.rankings:
        group, path = ranking.sheet.group, ranking.sheet.path
        rows += [("note", group, path, "", "", n) for n in ranking.notes if n not in tree.notes]
        for d in ranking.disagreements:
            message = (
                f"{d.n} scorers gave {d.low:g} to {d.high:g} on a criterion of global weight "
                f"{percent_text(d.weight)}%"
            )
            rows.append(("disagreement", group, path, d.option, d.leaf, message))
        for item in ranking.screened_out:
            rows += [
                ("gate failure", group, path, item.id, "", f"failed gate '{g.name}': {g.reason}")
                for g in item.gate_failures
            ]
        rows += [("excluded", group, path, e.id, "", e.reason) for e in ranking.excluded]
    return rows


def write_validation(
    sheet: Worksheet, context: WorkbookContext, findings: Sequence[Finding] = ()
) -> None:
    """Validation: every note, disagreement, gate failure and exclusion, one per row.

    ``findings`` follow: rows the other sheets add (what rescaled a combination's figure, say).
    """
    styles = context.styles
    write_title(sheet, "Validation findings", styles, "Everything appraise noted while ranking.")
    write_header(
        sheet,
        HEADER_ROW,
        ["Kind", "Group", "File", "Option", "Criterion", "Message"],
        styles,
    )
    rows = [*_validation_rows(context), *findings] or [
        ("none", "", "", "", "", "Nothing to report.")
    ]
    for k, values in enumerate(rows, start=HEADER_ROW + 1):
        put_row(sheet, k, 1, values, alignment=styles.wrap)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:F{HEADER_ROW + len(rows)}"
    set_widths(sheet, {1: 16, 2: 16, 3: 28, 4: 18, 5: 18, 6: 90})
    long_table(sheet, HEADER_ROW, f"A{HEADER_ROW + 1}")


# --- Audit ---------------------------------------------------------------------------------


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _level_text(ranking: Ranking) -> str:
    sheet = ranking.sheet
    if sheet.level == "criteria" and sheet.leaf_ids != sheet.tree.leaf_ids:
        return "top-level criteria (indicative round)"
    return "sub-criteria" if sheet.leaf_ids != sheet.tree.top_ids else "criteria"


def _settings_rows(context: WorkbookContext) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for ranking in context.rankings:
        sheet_ = ranking.sheet
        rows.append(
            (
                sheet_.group,
                sheet_.path,
                ranking.weight_set or "none (weights as entered)",
                ranking.aggregate if sheet_.per_scorer else "consensus scores",
                _level_text(ranking),
                scale_text(ranking),
                str(len(sheet_.scorer_ids)) if sheet_.per_scorer else "consensus",
                sheet_.spec.round or "",
                "yes" if sheet_.illustrative else "no",
                "yes" if sheet_.tree.spec.normalise else "no",
            )
        )
    return rows


def _table(
    sheet: Worksheet,
    row: int,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles: Styles,
) -> int:
    put_text(sheet, row, 1, title).font = styles.heading
    write_header(sheet, row + 1, header, styles)
    for k, values in enumerate(rows, start=row + 2):
        for column, value in enumerate(values, start=1):
            if value is None:  # nothing to say (the size of a digest of the inputs)
                continue
            if isinstance(value, int):
                put_number(sheet, k, column, value, "#,##0")
            else:
                put_text(sheet, k, column, value)
    return row + 3 + len(rows)


def _sensitivity_audit(sheet: Worksheet, row: int, context: WorkbookContext) -> int:
    """Which sensitivity analyses ran per group and how SMAA sampled; the next free row."""
    results = [(g.ranking.sheet.group, g.sensitivity) for g in context.groups if g.sensitivity]
    if not results:
        return row
    styles = context.styles
    header = [
        "Group",
        "Analyses run",
        "Shortlist (top N)",
        "SMAA samples",
        "SMAA seed",
        "Distribution",
        "Concentration",
        "Score noise",
    ]
    put_text(sheet, row, 1, "Sensitivity analyses").font = styles.heading
    write_header(sheet, row + 1, header, styles)
    for k, (group, result) in enumerate(results, start=row + 2):
        put_text(sheet, k, 1, group)
        put_text(sheet, k, 2, ", ".join(analyses_run(result)))
        put_number(sheet, k, 3, result.top, "0")
        smaa = result.smaa
        if smaa is None:
            put_text(sheet, k, 4, "not run")
            continue
        put_number(sheet, k, 4, smaa.samples, "#,##0")
        put_number(sheet, k, 5, smaa.seed, "0")
        put_text(sheet, k, 6, smaa.distribution)
        if smaa.distribution == "dirichlet" and smaa.concentration is not None:
            put_number(sheet, k, 7, smaa.concentration)
        else:
            put_text(sheet, k, 7, "n/a")
        put_text(sheet, k, 8, smaa.score_noise)
    return row + 3 + len(results)


def write_audit(sheet: Worksheet, context: WorkbookContext) -> None:
    """Audit: version, time, command line, inputs with SHA-256, settings, software versions."""
    styles = context.styles
    write_title(sheet, "Audit trail", styles, "What this workbook was made from, to reproduce it.")
    facts = [
        ("appraise version", __version__),
        ("Exported (UTC)", f"{context.exported_at:%Y-%m-%dT%H:%M:%SZ}"),
        ("Command line", context.command_line or "(library call)"),
        ("Criteria", f"{context.tree.title} ({context.tree.path})"),
    ]
    row = _table(sheet, 3, "Export", ["Item", "Value"], facts, styles)
    files: list[tuple[str, str, int | None, str]] = [
        (f.role, f.name, f.path.stat().st_size, sha256_of(f.path)) for f in context.inputs
    ]
    files.append(
        ("all inputs", "SHA-256 of the lines 'SHA-256  file' above", None, context.inputs_digest)
    )
    row = _table(
        sheet, row, "Input files", ["Role", "File", "Size (bytes)", "SHA-256"], files, styles
    )
    header = [
        "Group",
        "File",
        "Weight set",
        "Aggregate",
        "Scored against",
        "Scale",
        "Scorers",
        "Round",
        "Illustrative",
        "Normalise",
    ]
    row = _table(sheet, row, "Settings per group", header, _settings_rows(context), styles)
    row = _sensitivity_audit(sheet, row, context)
    software = [("Python", f"{platform.python_version()} ({platform.python_implementation()})")]
    software += [(name, _package_version(name)) for name in AUDITED_PACKAGES]
    _table(sheet, row, "Software", ["Package", "Version"], software, styles)
    set_widths(sheet, {1: 22, 2: 48, 3: 22, 4: 68, 5: 18, 6: 10, 7: 10, 8: 12, 9: 12, 10: 11})
