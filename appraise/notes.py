"""Notes: what a run says beside its figures, and which of them change a figure.

A note is text (JSON's ``notes`` lists it as it is) that also knows how much it matters, so
the terminal can show first, and always, the notes that change a figure (weights rescaled, a
score substituted, an option or a scorer's scores left out) and count the rest by topic:

- ``figure``: changes a figure shown. The default: a note nobody classed is shown.
- ``check``: the input is valid but looks wrong (a score far from the rest of its panel, a
  gate with no recorded result); ``appraise check`` shows where each one is.
- ``info``: context that changes nothing (the printed figures of the published criteria
  table that do not reconcile, which groups a diff compares).

A plain ``str`` among notes counts as a ``figure`` note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

NoteKind = Literal["figure", "check", "info"]


class Note(str):
    """A note's text, with its kind and the topic it is counted under when not shown."""

    kind: NoteKind
    topic: str

    def __new__(cls, text: str, kind: NoteKind = "figure", topic: str = "") -> Note:
        """The note ``text``; ``topic`` names what it is counted under when not shown."""
        note = super().__new__(cls, text)
        note.kind = kind
        note.topic = topic or "other findings"
        return note

    def __reduce__(self) -> tuple[object, ...]:
        return (Note, (str(self), self.kind, self.topic))


def kind_of(note: str) -> NoteKind:
    """A note's kind; a plain string changes a figure until someone says otherwise."""
    return note.kind if isinstance(note, Note) else "figure"


@dataclass(frozen=True)
class Arranged:
    """Notes as a terminal shows them: those to print, in order, and the rest counted."""

    shown: tuple[str, ...]
    counted: tuple[tuple[str, int], ...]  # (topic, how many), most first
    hidden: int

    def summary(self) -> str:
        """``9 more: 8 on scores far from their panel, 1 on ...``; empty when none is hidden."""
        if not self.hidden:
            return ""
        topics = ", ".join(f"{n:,} on {topic}" for topic, n in self.counted)
        return f"{self.hidden:,} more {'note' if self.hidden == 1 else 'notes'} ({topics})"


def arrange(notes: Iterable[str], verbose: bool = False) -> Arranged:
    """Each note once; those that change a figure first; the rest shown only when ``verbose``.

    Counted topics come most first, ties in the order first met.
    """
    unique = list(dict.fromkeys(notes))
    figures = [n for n in unique if kind_of(n) == "figure"]
    others = [n for n in unique if kind_of(n) != "figure"]
    if verbose:
        return Arranged((*figures, *others), (), 0)
    topics = Counter(n.topic for n in others if isinstance(n, Note))
    counted = tuple(sorted(topics.items(), key=lambda t: -t[1]))
    return Arranged(tuple(figures), counted, len(others))
