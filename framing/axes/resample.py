"""Resampling for axis scores (private): document bootstrap, null draws, Monte Carlo p values.

Everything is vectorised over ratio statistics ``(sum of weighted projections) / (sum of
weights)``: the units ("atoms": documents or sentences) are summarised once, and each draw is
a vector of counts over the atoms, so no Python loop runs over documents. Temporary arrays are
built in blocks of at most ``_MAX_BLOCK`` elements.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_STATS = ("bias", "intensity")
_MAX_BLOCK = 4_000_000  # elements per temporary block in the resampling loops


def _ratio(counts: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """(counts @ num) / (counts @ den)[:, None] with empty draws -> NaN."""
    d = counts @ den
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts @ num) / np.where(d > 0, d, np.nan)[:, None]


def _bootstrap(num: np.ndarray, den: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resample the k atoms with replacement n_boot times: (n_boot, n_cols) ratio draws.

    Indices are drawn with ``rng.integers`` (one ``(block, k)`` array per block) rather than
    :func:`framing.stats.bootstrap_counts` (multinomial counts): the multiplicities have the
    same distribution, but another random stream, and axis scores stay identical to earlier
    releases for the same ``random_state``.
    """
    k = len(den)
    out = np.empty((n_boot, num.shape[1]))
    block = max(1, _MAX_BLOCK // max(k, 1))
    for s in range(0, n_boot, block):
        b = min(block, n_boot - s)
        idx = rng.integers(0, k, size=(b, k))
        counts = np.bincount((idx + (np.arange(b) * k)[:, None]).ravel(), minlength=b * k)
        out[s:s + b] = _ratio(counts.reshape(b, k).astype(np.float64), num, den)
    return out


def _null_draws(num: np.ndarray, den: np.ndarray, sizes: Sequence[int], n_null: int,
                rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Ratio statistics of random size-k subsets (without replacement) of all N atoms.

    One random order per draw; the cumulative sums along it give the statistic of the first k
    atoms, a uniform random k-subset, for every k at once.
    """
    N = len(den)
    sizes = sorted({int(k) for k in sizes if 0 < k <= N})
    out = {k: np.empty((n_null, num.shape[1])) for k in sizes}
    if not sizes:
        return out
    block = max(1, _MAX_BLOCK // max(N * (num.shape[1] + 1), 1))
    kk = np.asarray(sizes) - 1
    for s in range(0, n_null, block):
        b = min(block, n_null - s)
        order = np.argsort(rng.random((b, N)), axis=1)
        cnum = np.cumsum(num[order], axis=1)[:, kk, :]     # (b, n_sizes, cols)
        cden = np.cumsum(den[order], axis=1)[:, kk]        # (b, n_sizes)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = cnum / np.where(cden > 0, cden, np.nan)[:, :, None]
        for j, k in enumerate(sizes):
            out[k][s:s + b] = ratio[:, j, :]
    return out


def _p_two_sided(obs: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Equal-tailed two-sided Monte Carlo p value, ``2 min(1 + #above, 1 + #below) / (B + 1)``."""
    B = np.sum(np.isfinite(null), axis=0)
    above = np.sum(null >= obs, axis=0)
    below = np.sum(null <= obs, axis=0)
    return np.minimum(1.0, 2 * (1 + np.minimum(above, below)) / (B + 1))



def _perm_diffs(num: np.ndarray, den: np.ndarray, n_a: int, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """Differences of the ratio statistic between two sides when the pooled atoms' side labels
    are shuffled (``n_a`` atoms on side a): ``(n_perm,)`` draws."""
    out = np.empty(n_perm)
    block = max(1, _MAX_BLOCK // max(len(den), 1))
    for s in range(0, n_perm, block):
        bsz = min(block, n_perm - s)
        ranks = np.argsort(rng.random((bsz, len(den))), axis=1).argsort(axis=1)
        m = (ranks < n_a).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            pa = (m @ num) / (m @ den)
            pb = ((1 - m) @ num) / ((1 - m) @ den)
        out[s:s + bsz] = pa - pb
    return out
