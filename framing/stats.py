"""Small statistical helpers shared by the analysis modules.

- :func:`as_rng`: one rule for ``random_state`` everywhere (None, an int, or a Generator;
  nothing ever touches numpy's global seed).
- :func:`fdr_bh`: Benjamini-Hochberg adjusted p-values.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def as_rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from ``random_state`` (None, an int, or a Generator passed through).

    Examples
    --------
    >>> as_rng(0).integers(10) == as_rng(0).integers(10)
    np.True_
    >>> g = np.random.default_rng(1); as_rng(g) is g
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None and not isinstance(random_state, (int, np.integer)):
        raise TypeError(f"random_state must be None, an int or a numpy Generator, got {type(random_state).__name__}")
    return np.random.default_rng(random_state)


def fdr_bh(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p values (false discovery rate; NaN kept as NaN).

    Benjamini & Hochberg (1995), *J. R. Stat. Soc. B* 57(1):289-300. ``q_i = min_{j >= i}
    min(1, p_(j) m / j)`` over the m finite p-values sorted increasingly.

    Examples
    --------
    >>> fdr_bh([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if len(ok):
        order = ok[np.argsort(p[ok], kind="stable")]
        m = len(order)
        adj = p[order] * m / np.arange(1, m + 1)
        adj = np.minimum.accumulate(adj[::-1])[::-1]
        out[order] = np.minimum(adj, 1.0)
    return out


__all__ = ["as_rng", "fdr_bh"]
