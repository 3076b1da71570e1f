"""The tuned SMAA-2 kernel issue 20 measures ``appraise sensitivity`` against, run as a process.

    python benchmarks/smaa_kernel.py SCORES.yaml SAMPLES [SEED]

Reads the scores file (PyYAML's C loader; consensus ``scores`` per option, or ``scorers``: then
every draw also resamples the panel's scorers with replacement and takes the mean, as
``--score-noise scorers`` does, the scores drawn per chunk as one product), then draws flat
Dirichlet weights (unit exponentials, each row normalised) in chunks of 20,000, one
``W @ X.T`` and one ``argsort`` per chunk, rank acceptability with one ``bincount`` over
``order * n + arange(n)``, central weights with one ``bincount`` per leaf on the winners; nothing
per sample in Python. Prints the first-rank acceptabilities, so the work cannot be skipped.
No checks, no ties, no notes: the floor a full tool can approach, not a tool.
"""

from __future__ import annotations

import sys

import numpy as np
import yaml

CHUNK = 20_000


def main(path: str, samples: int, seed: int = 1) -> None:
    with open(path, encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=yaml.CSafeLoader)
    options = data["options"]
    panel = "scorers" in options[0]
    if panel:  # scorers x options x leaves
        scorers = list(options[0]["scorers"])
        leaves = list(options[0]["scorers"][scorers[0]])
        raw = np.array(
            [[[float(o["scorers"][s][leaf]) for leaf in leaves] for o in options] for s in scorers]
        )
        scores = raw.mean(axis=0)
    else:
        leaves = list(options[0]["scores"])
        scores = np.array([[float(o["scores"][leaf]) for leaf in leaves] for o in options])
    n, m = scores.shape
    rng = np.random.default_rng(seed)
    ranks = np.zeros(n * n, np.int64)
    central = np.zeros((n, m))
    places = np.arange(n)
    for start in range(0, samples, CHUNK):
        size = min(CHUNK, samples - start)
        weights = rng.standard_exponential((size, m))
        weights /= weights.sum(axis=1, keepdims=True)
        if panel:
            k = len(raw)
            counts = rng.multinomial(k, np.full(k, 1.0 / k), size=size)  # draws x scorers
            drawn = (counts @ raw.reshape(k, n * m) / k).reshape(size, n, m)
            totals = np.einsum("dnm,dm->dn", drawn, weights)
        else:
            totals = weights @ scores.T
        order = np.argsort(-totals, axis=1)
        ranks += np.bincount((order * n + places).ravel(), minlength=n * n)
        winners = order[:, 0]
        for j in range(m):
            central[:, j] += np.bincount(winners, weights=weights[:, j], minlength=n)
    acceptability = ranks.reshape(n, n) / samples
    first = acceptability[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central /= (first * samples)[:, None]
    print(" ".join(f"{p:.4f}" for p in first))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *(int(a) for a in sys.argv[3:4]))
