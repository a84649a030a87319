"""Small numeric steps shared by :mod:`framing.cluster` and :mod:`framing.geometry`.

The names here are public (no underscore) so that :mod:`framing.geometry` can import them;
the module itself is an implementation detail of the clustering stage.

- :func:`unit_embeddings`: validated embeddings as unit rows (float32). An all-zero input
  row is an error: it has no direction, so no cosine and no place on the sphere.
- :func:`unit_projected`: rows of a projection (PCA scores) scaled to unit length in their
  own precision; a zero row (possible only in degenerate projections) is kept as zeros.
- :func:`int_seed`, :func:`limit_threads`, :func:`pca_solver`.
"""
from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from framing._checks import check_embeddings, l2_normalize

__all__ = ["ClusterError", "UNCLUSTERED", "unit_embeddings", "unit_projected", "int_seed", "limit_threads",
           "pca_solver"]

#: Label of points in no cluster (HDBSCAN noise, or no majority across resamples).
UNCLUSTERED = -1


class ClusterError(ValueError):
    """Bad input to a clustering step (shape, missing values, mismatched lengths, options)."""


def unit_embeddings(X: Any, *, name: str = "embeddings") -> np.ndarray:
    """Validate embeddings (finite, 2-D, no all-zero row) and return unit rows as float32.

    Examples
    --------
    >>> unit_embeddings([[3.0, 4.0]]).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    A = check_embeddings(X, name=name, error=ClusterError, dtype=np.float64)
    return l2_normalize(A, zero="error", name=name, error=ClusterError)


def unit_projected(A: np.ndarray) -> np.ndarray:
    """Rows divided by their norm in the array's own precision (zero rows kept), as float32."""
    n = np.linalg.norm(A, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (A / n).astype(np.float32)


def int_seed(rng: np.random.Generator) -> int:
    """An int seed drawn from ``rng`` for libraries (scikit-learn) that do not take a Generator."""
    return int(rng.integers(0, 2**31 - 1))


def limit_threads(n: int | None) -> Any:
    """Context limiting OpenMP/BLAS threads via threadpoolctl (a no-op context for None)."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=int(n))


def pca_solver(Z: np.ndarray) -> str:
    """Exact, deterministic PCA: eigendecomposition of the d x d covariance when n >= d,
    else a full SVD."""
    return "covariance_eigh" if Z.shape[0] >= Z.shape[1] else "full"
