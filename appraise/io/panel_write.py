"""A merged panel written out: a scoring workbook (the template's layout) or a YAML scores file.

Either reads back as the panel it was written from. The criteria are named as the members'
files name them: a bundled name as it is, a path re-expressed from the folder written to.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from appraise.errors import InputError, ParameterError
from appraise.io.files import CRITERIA_SUFFIXES, is_workbook, sha256_of, shown_path
from appraise.io.merge import Panel
from appraise.io.safe_write import write_atomically
from appraise.limits import MAX_SHEET_ROWS, MAX_WORKBOOK_CELLS
from appraise.model import ScoresFile
from appraise.safe_text import plural

PANEL_SUFFIXES = (".xlsx", ".yaml", ".yml")


def check_panel_name(out: Path) -> None:
    """Refuse a name that is neither a workbook nor a YAML file, before any work is done."""
    if out.suffix.lower() not in PANEL_SUFFIXES:
        raise ParameterError(
            "out", f"give a name ending in .xlsx or .yaml for the panel, not '{out.name}'"
        )


def criteria_reference(panel: Panel, out: Path) -> str:
    """The panel's criteria as the file at ``out`` names them.

    A bundled name stays a name; a path is made relative to the folder of ``out``, so the
    panel finds the same criteria file wherever it is written. A table the members' workbooks
    carry on their Criteria sheet (the file they name is missing, or differs) can go into a
    workbook, which carries it too, but not into a YAML file, which can only name a file.
    """
    given = panel.spec.criteria
    source = panel.tree.file
    if is_workbook(source):
        if is_workbook(out):
            return given
        raise InputError(
            shown_path(source),
            "sheet 'Criteria'",
            f"the criteria are this workbook's Criteria sheet, not the file it names "
            f"('{given}'; see the notes of `appraise check`), and a YAML panel can only name a "
            "criteria file: write the panel as .xlsx, or put the criteria file beside the "
            "workbooks",
        )
    if Path(given).suffix.lower() not in CRITERIA_SUFFIXES:
        return given  # a bundled name
    try:
        reference = os.path.relpath(source.resolve(), out.resolve().parent)
    except ValueError:  # another drive on Windows
        reference = str(source.resolve())
    return Path(reference).as_posix()


def write_panel(panel: Panel, out: Path, force: bool = False) -> Path:
    """Write the panel to ``out`` (.xlsx or .yaml), whole or not at all, never over an input."""
    check_panel_name(out)
    spec = panel.spec.model_copy(update={"criteria": criteria_reference(panel, out)})
    inputs = [*panel.sources, panel.tree.file]
    if is_workbook(out):
        from appraise.io.xlsx_template import write_template

        _fits_a_workbook(spec, panel.tree.leaves(panel.level), out)
        return write_atomically(
            out,
            lambda target: write_template(panel.tree, spec.criteria, target, spec, panel.level),
            inputs=inputs,
            force=force,
        )
    text = panel_yaml(
        spec,
        [(name, sha256_of(path)) for name, path in zip(panel.files, panel.sources, strict=True)],
    )

    def write(target: Path) -> None:
        target.write_text(text, encoding="utf-8")

    return write_atomically(out, write, inputs=inputs, force=force)


def _plain(value: Any) -> Any:
    """Numbers as people write them (4, not 4.0), all the way down."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def panel_yaml(spec: ScoresFile, files: Sequence[tuple[str, str]]) -> str:
    """The panel as a YAML scores file (CONTRACT 1.2), saying which files it was merged from.

    ``files``: (name as shown, SHA-256) of each file merged, in order.
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        """Mappings of numbers (a scorer's scores, the scale, measures) on one line each."""

    def mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
        flow = all(isinstance(v, int | float) or v is None for v in value.values())
        return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)

    Dumper.add_representer(dict, mapping)
    data = _plain(spec.model_dump(mode="json", by_alias=True, exclude_defaults=True))
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    from appraise import __version__

    listed = "".join(f"#   {name}  {digest}\n" for name, digest in files)
    merged = f"merged by `appraise merge` (appraise {__version__})"
    head = f"# The {spec.group} panel, {merged} from {plural(len(files), 'file')} (SHA-256):\n"
    return head + listed + body


def _fits_a_workbook(spec: ScoresFile, leaves: tuple[str, ...], out: Path) -> None:
    """Refuse a panel a workbook cannot hold whole (text in one cell, rows and cells a sheet).

    As the template refuses a scores file too big for one: Excel holds 32,767 characters a
    cell (an option's dissent, joined from every file, is one cell), and appraise reads a
    workbook of at most ``MAX_SHEET_ROWS`` rows a sheet and ``MAX_WORKBOOK_CELLS`` cells.
    """
    from appraise.io.xlsx_cells import MAX_CELL_TEXT
    from appraise.io.xlsx_layout import TEMPLATE_ROWS

    for option in spec.options:
        texts = {
            "dissent": "\n".join(option.dissent),
            "notes": option.notes,
            "description": option.description,
            "status_reason": option.status_reason,
            **{f"evidence of '{k}'": v for k, v in option.evidence.items()},
        }
        for what, text in texts.items():
            if text and len(text) > MAX_CELL_TEXT:
                raise InputError(
                    out,
                    "",
                    f"the {what} of option '{option.id}' is {len(text):,} characters, more "
                    f"than a workbook cell holds ({MAX_CELL_TEXT:,}); write the panel as .yaml",
                )
    rows = max(sum(max(1, len(o.scorers or {})) for o in spec.options) + 2, TEMPLATE_ROWS)
    cells = (rows - 1) * (len(leaves) + 3) + len(leaves)
    if rows > MAX_SHEET_ROWS or cells > MAX_WORKBOOK_CELLS:
        raise InputError(
            out,
            "",
            f"the panel needs {rows:,} rows and {cells:,} cells on its Scores sheet; a "
            f"workbook appraise reads holds at most {MAX_SHEET_ROWS:,} rows a sheet and "
            f"{MAX_WORKBOOK_CELLS:,} cells: write the panel as .yaml",
        )
