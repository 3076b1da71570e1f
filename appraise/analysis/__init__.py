"""The analyses, each on validated data (``appraise.data``) and free of any output form.

- ``scoring``: rank a score sheet (totals, contributions, set-asides, the panel's spread).
- ``sensitivity``: weight and score thresholds, weight sets, leave-one-out; with ``smaa``,
  stochastic multicriteria acceptability (weights drawn at random).
- ``combine``: the best combinations of options across groups under interdependency rules.
- ``diff``: what changed between two rounds of scoring.

Each reads its inputs and returns a result object; ``appraise.present`` turns results into
records, tables and workbooks. The one weighted sum they share is ``appraise.kernel``.
"""
