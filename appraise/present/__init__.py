"""Results as people read them: records, rows and Markdown per result, beside their forms.

- ``formats``: JSON (streamed, full precision), CSV and Markdown tables, for every result.
- ``ranking``, ``sensitivity``, ``combine``, ``diff``: each result as plain records (the JSON),
  rows (CSV), sentences and Markdown.
- ``workbook``: the HCE workbook, a sheet or two a module.
- ``terminal``: rich tables for the command line (the only part that imports rich).

Nothing here computes a figure: every number comes from ``appraise.analysis``.
"""
