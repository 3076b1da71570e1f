"""Every size and count limit on inputs and commands, in one place, with where each is checked.

Each is checked before the work it protects (a file's bytes before it is parsed, a workbook's
rows and cells before openpyxl builds it, counts before pydantic validates), and each gives a
message naming the file, where in it, and the limit. They sit well above any real appraisal
(tens of options, 10-60 criteria, a panel of up to 30) and well below what would make a run
slow or large. The README's limits table says the same for users.
"""

from __future__ import annotations

# | limit                        | value       | checked in          | guards against
# |------------------------------|-------------|---------------------|------------------------------
# | YAML file                    | 10 MB       | io/yaml_io.py       | parse time, about 2 s per MB
# | JSON file (YAML's subset)    | 64 MB       | io/yaml_io.py       | memory; generated large files
# | nesting depth                | 50 levels   | io/yaml_io.py       | RecursionError, deep walks
# | YAML aliases (*references)   | 100         | io/yaml_io.py       | alias bombs (billion laughs)
# | values reached via aliases   | 100,000     | io/yaml_io.py       | alias bombs under 100 aliases
# | digits in a number           | 300         | io/yaml_io.py       | int() on huge numbers
# | workbook (.xlsx) file        | 20 MB       | io/xlsx_guard.py    | memory
# | workbook unpacked            | 100 MB      | io/xlsx_guard.py    | zip bombs
# | workbook parts (zip members) | 2,000       | io/xlsx_guard.py    | zip bombs
# | one part's unpacking ratio   | 200 : 1     | io/xlsx_guard.py    | zip bombs
# | rows in one sheet            | 20,000      | io/xlsx_guard.py    | a million formatted rows
# | cells in a workbook          | 500,000     | io/xlsx_guard.py    | openpyxl time and memory
# | cells of an exported workbook| 1,000,000   | present/workbook    | XlsxWriter time (~9 s)
# | XML elements in a workbook   | 2,000,000   | io/xlsx_guard.py    | openpyxl time and memory
# | sheets in an .xls or .ods    | 1,000       | io/xls_guard.py,    | a sheet each from a few
#                                                io/ods_guard.py       bytes (.xlsx: zip parts)
#   (other than cells and text)  | 300,000     | io/xlsx_guard.py    | styles, defined names
# | options in a scores file     | 5,000       | io/parsing.py       | validation time
# | scorers in a scores file     | 100         | io/parsing.py       | validation time
# | scores in a scores file      | 5,000,000   | io/parsing.py       | memory
# | criteria + sub-criteria      | 500         | io/parsing.py       | validation time
# | rules in a rules file        | 10,000      | io/parsing.py       | combination search
# | SMAA samples                 | 10,000,000  | cli/options.py      | run time
# | any number (file or option)  | |x| <= 1e12 | Number, Weight here | overflow to inf or NaN
# | a weight that is not 0       | >= 1e-12    | Weight here         | overflow in score thresholds
# | --concentration              | 0.001..1e6  | cli/options.py      | (1e6 already all but fixed)
# | --seed                       | 0..2^32-1   | cli/options.py      | a seed the Audit sheet keeps
# | values in a YAML file        | 2,000,000   | io/yaml_io.py       | time (about 1 us each from
#                                                                       libyaml's events) and
#                                                                       memory; JSON takes more
# | ... with anchors, aliases    | 200,000     | io/yaml_io.py       | time: the guarded loader
#   or tags                                                             composes each node in
#                                                                       Python (~12 us)
# | values in a JSON file        | 6,000,000   | io/yaml_io.py       | memory (counted before
#                                                                       parsing)
MB = 1024 * 1024
MAX_YAML_BYTES = 10 * MB
MAX_JSON_BYTES = 64 * MB
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_ALIASED_VALUES = 100_000
MAX_YAML_VALUES = 2_000_000
MAX_GUARDED_VALUES = 200_000
MAX_JSON_VALUES = 6_000_000  # MAX_SCORES and their keys, names and ids; ~1 GiB parsed
MAX_DIGITS = 300
MAX_XLSX_BYTES = 20 * MB
MAX_UNZIPPED_BYTES = 100 * MB
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_RATIO = 200
MAX_SHEET_ROWS = 20_000
MAX_WORKBOOK_CELLS = 500_000
MAX_SHEETS = 1_000
MAX_OPTIONS = 5_000
MAX_SCORERS = 100
MAX_SCORES = 5_000_000
MAX_CRITERIA = 500
MAX_RULES = 10_000
MAX_WEIGHT_SETS = 100
MAX_RULE_COUNT = 10_000  # an at_most: more than any rule can list (MAX_OPTIONS x groups)
# Per command (each measured at its limit in benchmarks/scale_bench.py, within 1 GiB):
# Ranked options: nothing compares every pair in every draw (pairwise wins are counted among
# today's first 50), so 2,000 options of 60 sub-criteria take 3 s and 600 MB; rank
# acceptability is options x ranks, so 5,000 would take 1.5 GB.
MAX_SENSITIVITY_OPTIONS = 2_000
# An exported workbook's cells, estimated before any work: long tables go straight to XlsxWriter
# (about 2 us a cell, a few bytes), so 2,000 options x 60 leaves x 5 scorers (760,000) take
# about 8.5 s and 470 MB; a workbook that would pass it laid out scorer by scorer shows each
# panel's scores used instead (present/workbook/context.py panels_by_scorer).
MAX_EXPORT_CELLS = 1_000_000
# The largest seed: most tools take seeds this size, and the workbook's Audit sheet records a
# seed exactly only below 2^53 (a spreadsheet number is a double).
MAX_SEED = 2**32 - 1
MAX_COMBINE_SAMPLES = 100_000  # robustness draws: each is an exact search of the combinations
MAX_WEIGHT_POINTS = 1e12  # a weight in points: appraise.model.MAX_MAGNITUDE
