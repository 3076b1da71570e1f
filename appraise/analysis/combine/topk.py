"""The k best totals a search keeps, ties at the cut included, and how they are ranked."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from appraise.analysis.combine.data import Choice, Combination, GroupOptions
from appraise.kernel import TIE_TOLERANCE

# The search keeps near-ties within this of the k-th total (the final tie rule then sees every
# one) and no more: its own sums run in another order than the final totals.
MARGIN = 10 * TIE_TOLERANCE
MAX_TIED = 1000


class TopK:
    """The k best totals seen and every combination within MARGIN of the k-th."""

    def __init__(self, k: int, floor: float = -math.inf) -> None:
        self.k = k
        self.max_kept = k + MAX_TIED
        self.heap: list[float] = []
        self.kept: list[tuple[float, Choice]] = []
        self.capped = False
        # A floor is a total some feasible combination is known to reach (robustness seeds the
        # search with earlier winners); it may only be used when k == 1.
        self.cut = floor - MARGIN

    def add(self, total: float, choice: Choice) -> None:
        """Keep a combination if it is among the best ``k`` so far (ties with the k-th too)."""
        heap = self.heap
        if len(heap) < self.k:
            heapq.heappush(heap, total)
        elif total > heap[0]:
            heapq.heapreplace(heap, total)
        self.kept.append((total, choice))
        if len(heap) == self.k:
            self.cut = max(self.cut, heap[0] + (MARGIN if self.capped else -MARGIN))
        if len(self.kept) > 2 * self.max_kept:
            self._purge()

    def _purge(self) -> None:
        low = self.heap[0] - MARGIN
        self.kept = [item for item in self.kept if item[0] >= low]
        if len(self.kept) > self.max_kept:
            # Too many ties at the cut: from now on only strictly better ones are kept.
            self.capped = True
            self.cut = self.heap[0] + MARGIN

    def result(self) -> list[tuple[float, Choice]]:
        """The kept combinations, best first, as (total, choice)."""
        if not self.heap:
            return []
        low = self.heap[0] - MARGIN if len(self.heap) == self.k else -math.inf
        return [item for item in self.kept if item[0] >= low]


def ranked_within(
    kept: Sequence[tuple[float, Choice]], k: int, values: Sequence[Sequence[float]]
) -> list[tuple[int, float, Choice]]:
    """(rank, total, choice) of the combinations ranked k or better, ties in lexicographic order.

    Totals are summed again in group order, so the same combination always gets the same
    total whatever order a search added it in.
    """
    scored = sorted(
        ((sum(values[g][o] for g, o in enumerate(choice)), choice) for _, choice in kept),
        key=lambda item: (-item[0], item[1]),
    )
    blocks: list[list[tuple[float, Choice]]] = []
    for i, item in enumerate(scored):
        if i and scored[i - 1][0] - item[0] <= TIE_TOLERANCE:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    out: list[tuple[int, float, Choice]] = []
    for block in blocks:
        if len(out) >= k:
            break
        rank = len(out) + 1
        out += [(rank, total, choice) for total, choice in sorted(block, key=lambda b: b[1])]
    return out[: k + MAX_TIED]


def make_combination(
    rank: int, total: float, choice: Choice, groups: Sequence[GroupOptions]
) -> Combination:
    """A ranked choice as a ``Combination``: its options, total and attribute sums."""
    names = list(dict.fromkeys(a for g in groups for a in g.attributes))
    sums = {
        name: float(
            sum(
                g.attributes[name][o]
                for g, o in zip(groups, choice, strict=True)
                if name in g.attributes
            )
        )
        for name in names
    }
    picked = {g.group: g.option_ids[o] for g, o in zip(groups, choice, strict=True)}
    return Combination(rank, total, picked, sums)
