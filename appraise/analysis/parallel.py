"""Chunks of a simulation counted on every core, their results taken in chunk order.

numpy releases the interpreter lock in its heavy loops (matrix products, sorting, comparing),
so threads share the work of a simulation without copying its data. Each chunk draws from its
own generator (``smaa.draw_chunks``) and is counted apart; the caller adds the parts in chunk
order, so results do not depend on how many threads ran or which finished first.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Job = TypeVar("Job")
Part = TypeVar("Part")


def workers() -> int:
    """Threads to count with: the cores this process may use, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def in_order(
    jobs: Iterable[Job], work: Callable[[Job], Part], threads: int | None = None
) -> Iterator[Part]:
    """``work(job)`` for every job, on ``threads`` threads, yielded in the jobs' order.

    At most twice as many jobs as threads are in hand at once, so memory stays bounded
    however many there are; one thread runs them here, in this thread.
    """
    count = workers() if threads is None else threads
    if count <= 1:
        yield from map(work, jobs)
        return
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="appraise") as pool:
        pending: deque[Future[Part]] = deque()
        try:
            for job in jobs:
                pending.append(pool.submit(work, job))
                if len(pending) >= 2 * count:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:  # interrupted: nothing more starts
                future.cancel()
