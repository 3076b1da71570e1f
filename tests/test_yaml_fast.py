"""YAML straight from libyaml's events (issue 20, part 3): the same data and the same messages.

``_fast_load`` builds plain data from the C parser's events without composing a node graph;
whatever needs the guarded loader's care (anchors, aliases, tags, merge keys, a mapping as a
key, several documents) is handed to it. Here both read the same texts: they must give equal
data, and the same error at the same place.
"""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.io import yaml_io
from appraise.io.yaml_io import _Fallback, _fast_load

pytestmark = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml"
)


def guarded(text: str):
    loader = yaml_io._LOADER(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def failure(read, text: str) -> tuple[str, str | None, int | None, int | None]:
    """The error ``read`` raises on ``text``: its type, problem, line and column."""
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        read(text)
    mark = caught.value.problem_mark
    return (
        type(caught.value).__name__,
        caught.value.problem,
        mark and mark.line,
        mark and mark.column,
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True, width=64),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "1e3", "0x1F", "1_000", "3.0", ""]),
    st.dates(),
)
keys = st.one_of(st.text(min_size=1, max_size=8), st.integers(0, 99), st.booleans())
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, True, False]))
def test_the_same_data_as_the_guarded_loader(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert _fast_load(text) == guarded(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a: 1\nb: [1, 2.5, yes, no, ~, 2026-12-05, '3', \"x\"]\n",
        "when: 2026-12-05 10:30:00\n",
        "- 0o17\n- 0x1F\n- .inf\n- -.inf\n- 1_000\n- 12:30\n",  # YAML 1.1 numbers
        "plain text only\n",
        "k: |\n  a block\n  of text\n",
        "{a: {b: {c: [[]]}}}\n",
    ],
)
def test_hand_written_texts_read_the_same(text):
    assert _fast_load(text) == guarded(text)


def test_a_scores_file_reads_the_same(tmp_path):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "options" / "urgent-care.yaml").read_text()
    assert _fast_load(text) == guarded(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\na: 3\n",  # a duplicate key
        "a: 1\n'a': 2\n",
        "n: " + "9" * 400 + "\n",  # a number too long
        "d: 2026-13-45\n",  # no such date
        "x: 1.0e-999\n",  # too small to hold
        "a: [1, 2\n",  # a syntax error
        "a: b: c\n",
        "a:\n  - 1\n - 2\n",
        "x: " + "[" * 60 + "]" * 60 + "\n",  # nested too deep
    ],
)
def test_errors_are_the_guarded_loaders_at_the_same_place(text):
    assert failure(_fast_load, text) == failure(guarded, text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",  # an anchor and an alias
        "a: !!str 1\n",  # an explicit tag
        "a: !!python/object:os.system x\n",
        "base: &b {x: 1}\nc:\n  <<: *b\n",
        "? [1, 2]\n: x\n",  # a list as a key
        "a: 1\n---\nb: 2\n",  # two documents
    ],
)
def test_what_needs_the_guarded_loader_goes_to_it(text):
    with pytest.raises(_Fallback):
        _fast_load(text)


def test_timestamps_and_memoised_values_are_fresh_objects_where_it_matters():
    data = _fast_load("a: [1, 1, 1]\nb: 2026-12-05\nc: 2026-12-05\n")
    assert data == {
        "a": [1, 1, 1],
        "b": datetime.date(2026, 12, 5),
        "c": datetime.date(2026, 12, 5),
    }


def test_past_the_values_limit_it_is_refused_where_the_count_passes(monkeypatch):
    monkeypatch.setattr(yaml_io, "MAX_YAML_VALUES", 10)
    with pytest.raises(yaml_io._OverLimit) as caught:
        _fast_load("[" + ", ".join(["1"] * 20) + "]\n")
    assert caught.value.problem.startswith("more than 10 values (keys, names, scores)")
    assert (caught.value.problem_mark.line, caught.value.problem_mark.column) == (0, 28)
