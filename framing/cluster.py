"""Clusters of sentences or articles in embedding space, their stability, and outlet shares.

The pieces, in the order a study uses them:

- :class:`Clusterer` -- k-means, agglomerative or HDBSCAN clustering of L2-normalised
  embeddings (cosine geometry), optionally after PCA; chooses the number of clusters when it
  is not given, by default as the largest k whose clusters are reproducible across
  half-samples by more than one standard error of that estimate (a one-SE rule).
- :class:`StableClusters` / :func:`cluster_stability` -- refits the clustering on many
  resamples, reports agreement (ARI overall, Jaccard per cluster after Hennig 2007), a
  consensus labelling, and flags every cluster that does not survive resampling. Points
  without a clear consensus (and HDBSCAN noise) are *unclustered* and reported with their
  share.
- :func:`describe_clusters` -- distinguishing terms (class-based TF-IDF), exemplar texts
  nearest the centroid, and cluster size per outlet.
- :func:`outlet_shares` and :func:`share_test` -- outlet x cluster shares with confidence
  intervals from a cluster bootstrap over whole articles, and a permutation test (outlet
  labels permuted across whole articles) of whether outlets differ in their cluster mix,
  with per-cell over/under-representation (BH-adjusted). An outlet with fewer than
  ``min_docs`` articles gets no interval (NaN) and a warning naming it
  (:func:`framing.stats.small_groups`).
- :func:`benchmark` -- timing and seed agreement on the referendum-window sentences, with
  BERTopic run for comparison in a separate virtual environment.

Label conventions: clusters are numbered ``0, 1, ...`` by decreasing size; ``-1`` means
unclustered (HDBSCAN noise, or no majority across resamples). Unclustered points are always
counted and reported, never dropped silently.

References
----------
Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation
of cluster analysis. *J. Comput. Appl. Math.* 20, 53-65.

Ben-Hur, A., Elisseeff, A., Guyon, I. (2002). A stability based method for discovering
structure in clustered data. *Pacific Symposium on Biocomputing* 7, 6-17.

Lange, T., Roth, V., Braun, M. L., Buhmann, J. M. (2004). Stability-based validation of
clustering solutions. *Neural Computation* 16(6), 1299-1323.

Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational Statistics
& Data Analysis* 52(1), 258-271.

Tibshirani, R., Walther, G. (2005). Cluster validation by prediction strength. *Journal of
Computational and Graphical Statistics* 14(3), 511-528.

Breiman, L., Friedman, J. H., Olshen, R. A., Stone, C. J. (1984). *Classification and
Regression Trees*. Wadsworth (the one-standard-error rule).

Hastie, T., Tibshirani, R., Friedman, J. (2009). *The Elements of Statistical Learning*, 2nd
ed., Springer, section 7.10.

Efron, B., Stein, C. (1981). The jackknife estimate of variance. *Annals of Statistics* 9(3),
586-596.

Arvesen, J. N. (1969). Jackknifing U-statistics. *Annals of Mathematical Statistics* 40(6),
2076-2100.

Besag, J., Clifford, P. (1991). Sequential Monte Carlo p-values. *Biometrika* 78(2), 301-304.

Campello, R. J. G. B., Moulavi, D., Sander, J. (2013). Density-based clustering based on
hierarchical density estimates. *PAKDD 2013*, 160-172.

Grootendorst, M. (2022). BERTopic: Neural topic modeling with a class-based TF-IDF
procedure. arXiv:2203.05794.

Field, C. A., Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B* 69(3), 369-390.

Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed., section 2.4.5 (adjusted
standardised residuals).

Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
289-300.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.metrics import adjusted_rand_score

from framing._display import html_summary
from .stats import MIN_DOCS, as_rng as _rng, check_min_docs, small_groups

__all__ = [
    "ClusterError",
    "Clusterer",
    "StableClusters",
    "cluster_stability",
    "describe_clusters",
    "ClusterDescription",
    "outlet_shares",
    "share_test",
    "ShareTest",
    "benchmark",
]

UNCLUSTERED = -1
_ABSENT = -2  # marks points left out of a resample in StableClusters.resample_labels_
_METHODS = ("kmeans", "agglomerative", "hdbscan")
_CONTINUE_SE = 3.0  # stability scan: add fits while |score - min_stability| < this many SE
_CRITERIA = ("silhouette", "stability")


class ClusterError(ValueError):
    """Bad input to a clustering step (shape, missing values, mismatched lengths, options)."""


# ----------------------------------------------------------------------------- helpers


def _seed(rng: np.random.Generator) -> int:
    """An int seed for libraries (scikit-learn) that do not take a Generator."""
    return int(rng.integers(0, 2**31 - 1))


def _check_embeddings(X: Any, name: str = "embeddings") -> np.ndarray:
    """Validate a 2-D finite array and return it L2-normalised as float32 (a copy)."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        X = X.to_numpy()
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ClusterError(f"{name} must be a numeric 2-D array: {exc}") from None
    if A.ndim != 2:
        raise ClusterError(f"{name} must be 2-D (n_rows, dim), got shape {A.shape}")
    if A.shape[0] == 0:
        raise ClusterError(f"{name} is empty (0 rows)")
    bad = ~np.isfinite(A).all(axis=1)
    if bad.any():
        raise ClusterError(f"{name} row {int(np.flatnonzero(bad)[0])} contains NaN or inf")
    norms = np.linalg.norm(A, axis=1)
    if (norms == 0).any():
        raise ClusterError(f"{name} row {int(np.flatnonzero(norms == 0)[0])} is all zeros (cannot normalise)")
    return (A / norms[:, None]).astype(np.float32)


def _threads(n: int | None) -> Any:
    """Context limiting OpenMP/BLAS threads (a no-op context for None)."""
    import contextlib

    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=int(n))


def _pca_solver(Z: np.ndarray) -> str:
    """Exact, deterministic PCA: eigendecomposition of the d x d covariance when n >= d
    (fast for many sentences in a few hundred dimensions), else a full SVD."""
    return "covariance_eigh" if Z.shape[0] >= Z.shape[1] else "full"


def _normalise_rows(A: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(A, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (A / n).astype(np.float32)


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 by decreasing size (ties: first occurrence); keep -1."""
    labels = np.asarray(labels)
    out = np.full(labels.shape, UNCLUSTERED, dtype=np.int64)
    mask = labels >= 0
    if not mask.any():
        return out
    uniq, first, counts = np.unique(labels[mask], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.empty(uniq.max() + 1, dtype=np.int64)
    mapping[uniq[order]] = np.arange(len(uniq))
    out[mask] = mapping[labels[mask]]
    return out


def _contingency(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense contingency table of two integer labelings; returns (table, a_values, b_values)."""
    av, ai = np.unique(a, return_inverse=True)
    bv, bi = np.unique(b, return_inverse=True)
    table = np.zeros((len(av), len(bv)), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)
    return table, av, bv


def _jaccard_table(ref: np.ndarray, other: np.ndarray, k_ref: int) -> np.ndarray:
    """Jaccard of each reference cluster 0..k_ref-1 with each non-noise cluster of ``other``.

    Both labelings are over the same points. Returns an array (k_ref, m); noise (-1) in
    ``other`` is never a match, so a reference cluster dissolved into noise scores 0.
    """
    others = np.unique(other[other >= 0])
    if len(others) == 0:
        return np.zeros((k_ref, 1))
    oi = np.searchsorted(others, other)
    keep_o = other >= 0
    keep_r = ref >= 0
    both = keep_o & keep_r
    inter = np.zeros((k_ref, len(others)), dtype=np.int64)
    np.add.at(inter, (ref[both], oi[both]), 1)
    size_r = np.bincount(ref[keep_r], minlength=k_ref)[:k_ref]
    size_o = np.bincount(oi[keep_o], minlength=len(others))
    union = size_r[:, None] + size_o[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return jac


def _pairwise_ari(resample_labels: np.ndarray) -> np.ndarray:
    """ARI between every pair of resample labelings, on the points both resamples contain."""
    B = resample_labels.shape[0]
    out = []
    for i in range(B):
        for j in range(i + 1, B):
            both = (resample_labels[i] != _ABSENT) & (resample_labels[j] != _ABSENT)
            if both.sum() < 2:
                continue
            out.append(adjusted_rand_score(resample_labels[i][both], resample_labels[j][both]))
    return np.asarray(out, dtype=float)


def _pair_scores(labs: Sequence[np.ndarray], S: np.ndarray | None = None,
                 A: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Least-stable-cluster Jaccard and ARI for every pair of labelings of the same points.

    Each labeling holds integers ``0..k-1``. The pair score is the smallest best-match
    Jaccard over the clusters of either labeling (Hennig 2007), so one cluster that is not
    reproduced pulls the pair down. Returns two symmetric ``(F, F)`` arrays with NaN on the
    diagonal: scores and adjusted Rand indices (from the same contingency tables). ``S`` and
    ``A`` from an earlier call on the first labelings are extended, not recomputed.
    """
    F = len(labs)
    old = 0 if S is None else S.shape[0]
    k = int(max(int(lab.max()) for lab in labs)) + 1
    n = len(labs[0])
    S2 = np.full((F, F), np.nan)
    A2 = np.full((F, F), np.nan)
    if old:
        S2[:old, :old], A2[:old, :old] = S, A
    pairs_n = n * (n - 1) / 2
    for j in range(old, F):
        for i in range(j):
            T = np.bincount(labs[i].astype(np.int64) * k + labs[j], minlength=k * k).reshape(k, k)
            T = T.astype(np.float64)
            ra, rb = T.sum(axis=1), T.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                J = np.nan_to_num(T / (ra[:, None] + rb[None, :] - T))
            S2[i, j] = S2[j, i] = min(J.max(axis=1)[ra > 0].min(), J.max(axis=0)[rb > 0].min())
            sum_t = (T * (T - 1) / 2).sum()
            sa, sb = (ra * (ra - 1) / 2).sum(), (rb * (rb - 1) / 2).sum()
            expected = sa * sb / pairs_n if pairs_n else 0.0
            top = (sa + sb) / 2
            A2[i, j] = A2[j, i] = 1.0 if top == expected else (sum_t - expected) / (top - expected)
    return S2, A2


def _jackknife_pair_mean(S: np.ndarray) -> tuple[float, float]:
    """Mean of the pair scores ``S[i, j]`` (i < j) and its jackknife standard error.

    The units are the F clusterings, not the F(F-1)/2 pairs (which share clusterings): leave
    clustering i and its F-1 pairs out, recompute the mean, and apply the jackknife variance
    ``(F-1)/F * sum_i (mean_(-i) - mean_(.))^2`` (Efron & Stein 1981; Arvesen 1969 for
    U-statistics such as this mean over pairs).
    """
    F = S.shape[0]
    iu = np.triu_indices(F, 1)
    total = S[iu].sum()
    mean = float(total / len(iu[0]))
    if F < 3:
        return mean, float("nan")
    loo = (total - np.nansum(S, axis=1)) / ((F - 1) * (F - 2) / 2)
    se = float(np.sqrt((F - 1) / F * ((loo - loo.mean()) ** 2).sum()))
    return mean, se


def _fit_size(n: int, fraction: float) -> int:
    """Rows in each subsample of the stability scan: ``round(fraction * n)``, at least 2."""
    return max(2, int(round(fraction * n)))


def _one_se_choice(ks: np.ndarray, score: np.ndarray, se: np.ndarray,
                   threshold: float) -> tuple[int, np.ndarray]:
    """The one-standard-error rule used by ``Clusterer(criterion="stability")``.

    k is accepted when ``score - se >= threshold``: its stability clears the threshold by at
    least one standard error. Returns the largest accepted k -- or, if none is accepted,
    the k with the highest ``score - se`` (ties: the smaller k) -- and the accepted mask.
    """
    ks, score, se = np.asarray(ks), np.asarray(score, dtype=float), np.asarray(se, dtype=float)
    lower = score - np.nan_to_num(se, nan=0.0)
    accepted = lower >= threshold
    if accepted.any():
        return int(ks[accepted].max()), accepted
    return int(ks[int(np.argmax(lower))]), accepted


# ----------------------------------------------------------------------------- Clusterer

class Clusterer(ClusterMixin, BaseEstimator):
    """Cluster L2-normalised embeddings with k-means, agglomerative or HDBSCAN clustering.

    Rows are L2-normalised first, so Euclidean geometry on them is cosine geometry
    (``||a - b||^2 = 2 - 2 cos(a, b)``): k-means on unit vectors is spherical-style k-means,
    Ward linkage merges by squared chordal distance. With ``n_components`` set and smaller
    than the embedding dimension, the vectors are projected by exact PCA
    (deterministic) to that many components and re-normalised -- this removes noise
    dimensions and makes k-means and especially HDBSCAN much faster (density estimates in
    ~400 dimensions are poor).

    When ``n_clusters`` is None (k-means and agglomerative) it is chosen over ``k_range``:

    - ``criterion="stability"`` (default): a one-standard-error rule on a resampling
      estimate of each k's stability.

      1. *Estimate.* Random half-samples of the points (``selection_fraction``) -- drawn
         once and reused for every k (common random numbers, as cross-validation uses the
         same folds for every model) -- are clustered at k, and each clustering labels
         *all* points by nearest centroid (transfer by a classifier, Lange et al. 2004;
         the split-half design of Tibshirani & Walther 2005). Every pair of clusterings is
         scored on all points by the best-match Jaccard of its *least* stable cluster, in
         either direction (Hennig 2007) -- a global ARI would hide one arbitrarily split
         cluster among several stable ones. ``score`` is the mean over the pairs and
         ``se`` its jackknife standard error over clusterings (leave one clustering and
         its pairs out; Efron & Stein 1981; Arvesen 1969 for such U-statistics). ``se``
         is a Monte Carlo error: how far ``score`` would move with another
         ``random_state``. The mean, not the median, is used because it counts the
         clusterings that land in a competing solution, which the resamples of
         :class:`StableClusters` meet as well.
      2. *Enough fits.* A first pass clusters ``n_fits`` half-samples per k. Then, from
         the largest k scanned down to the first accepted one (the only k that can change
         the choice), batches of ``n_fits`` more are added, up to ``max_fits``, while
         ``min_stability`` lies within three standard errors of ``score`` -- while the
         resamples cannot yet tell whether k is stable (the idea of sequential Monte Carlo
         tests, Besag & Clifford 1991). Clear cases cost ``n_fits`` fits; a wide band
         guards against stopping early on a run of lucky fits.
      3. *Choice.* k is *accepted* when its stability clears ``min_stability`` (default
         0.75, Hennig's guideline for a stable cluster) by at least one standard error,
         ``score - se >= min_stability``, and the chosen k is the largest accepted one (if
         none is, the k with the highest ``score - se``). As in the one-standard-error rule
         of Breiman et al. (1984; Hastie et al. 2009, sec. 7.10), the more complex model
         must beat the simpler one by more than the noise in its own estimate: a k whose
         stability is within one SE of the threshold -- a tie between "stable" and
         "unstable" that another seed could break either way -- gives way to a smaller k.
         (The textbook form, the smallest k within one SE of the best score, does not
         carry over: stability is nearly always highest at k = 2.)

      Why: stability of k-means on sentence embeddings fades gradually with k, and a
      point-estimate rule (largest k whose score reaches the threshold) then picks
      neighbouring k with different seeds -- the earlier version of this criterion (median
      over pairs of six 80 % subsamples, no margin) chose 6, 7 or 8 clusters for the
      ~10,000 referendum-window sentences of :func:`benchmark`, depending on the seed. The
      first pass stops once ``patience`` consecutive k have failed after one was accepted
      (None scans all of ``k_range``). Because each clustering sees only half of the
      points, the criterion is stricter than the 80 % subsamples of :class:`StableClusters`
      and tends to choose fewer, more reproducible clusters (``selection_fraction=0.8``
      relaxes it). Cost: ``n_fits`` to ``max_fits`` fits on half the points per k scanned
      (agglomerative: one tree per half-sample, cut at every k).
    - ``criterion="silhouette"``: the mean silhouette width with cosine distance
      (Rousseeuw 1987) of each candidate solution, evaluated on one fixed random subsample of
      ``subsample`` points (the same points for every k, so scores are comparable; the
      clustering itself always uses all points). The k with the highest mean silhouette wins.
      On sentence embeddings the silhouette is often highest at k = 2 (a coarse split), which
      is why stability is the default.

    The table of candidate scores is kept in ``selection_``.

    HDBSCAN (Campello et al. 2013; ``sklearn.cluster.HDBSCAN``) finds the number of clusters
    itself and labels low-density points -1 (noise); ``n_clusters`` must be None for it.

    Parameters
    ----------
    method : {"kmeans", "agglomerative", "hdbscan"}
    n_clusters : int or None
        Number of clusters; None chooses it by ``criterion`` over ``k_range``.
    k_range : (int, int)
        Inclusive range of k tried when ``n_clusters`` is None.
    criterion : {"silhouette", "stability"}
    n_components : int or None
        PCA dimension before clustering (default 50); None keeps the full dimension.
    linkage : {"ward", "average", "complete"}
        Agglomerative linkage; ``ward`` on unit vectors, the others on cosine distance.
    min_cluster_size : int or None
        HDBSCAN's minimum cluster size; None uses ``max(10, n // 200)``.
    min_samples : int or None
        HDBSCAN's ``min_samples`` (None: equal to ``min_cluster_size``).
    n_init : int
        k-means restarts in the k scan (and in the resamples of :class:`StableClusters`).
    final_n_init : int or None
        k-means restarts for the final clustering at the chosen (or given) k -- the one
        reported -- so that it is the best of more starts (default 10; None: ``n_init``).
    subsample : int
        Points used to score silhouettes.
    selection_size : int or None
        Choose k on one fixed random subsample of at most this many points (default None:
        all points); the final clustering at the chosen k always uses all points. Use it to
        keep the k scan affordable for very large inputs.
    selection_fraction : float
        ``criterion="stability"``: each clustering in the k scan uses this share of the
        points (default 0.5, the split-half design; 0.8 matches the subsamples of
        :class:`StableClusters` and makes the criterion less strict -- more clusters --
        at a higher cost).
    n_fits : int
        ``criterion="stability"``: half-sample clusterings per k to start with, and the
        size of each further batch (at least 3; all pairs of clusterings are compared).
        ``se`` shrinks like ``1 / sqrt(fits)``.
    max_fits : int or None
        Upper limit on the clusterings per k when the decision is unclear (default 100;
        None: never more than ``n_fits``).
    min_stability : float
        Threshold on the least stable cluster's Jaccard (mean over pairs) for
        ``criterion="stability"``; a k must clear it by one standard error.
    patience : int or None
        Stop the stability scan after this many consecutive failing k (counted once some k
        has been accepted; small k merge true clusters arbitrarily and can fail too).
    threads : int or None
        OpenMP/BLAS threads for the fits (via threadpoolctl); None leaves the libraries'
        default. 1 by default: the many small fits gain little from threads, and on a
        shared machine OpenMP spin-waiting made threaded k-means about 5x slower in our
        measurements (2 cores, other jobs running).
    random_state : int, numpy Generator or None
        Seeds k-means initialisation and the subsamples; HDBSCAN and agglomerative
        clustering are deterministic.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
        Cluster per row, 0 = largest cluster; -1 = noise (HDBSCAN only).
    n_clusters_ : int
        Number of clusters found (not counting noise).
    cluster_centers_ : ndarray, shape (n_clusters_, d)
        Normalised mean of each cluster in the (reduced) clustering space.
    selection_ : DataFrame or None
        When k was chosen: one row per k scanned with ``k``, ``score`` and ``criterion``;
        for stability also ``se`` (jackknife), ``lower`` (``score - se``), ``accepted``
        (``lower >= min_stability``), ``chosen``, ``n_fits`` (clusterings used), the
        ``median`` and ``q25`` of the pair scores and their mean ARI ``ari``. Else None.
    pca_ : sklearn PCA or None
        The fitted projection, when ``n_components`` reduced the dimension.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = rng.standard_normal((3, 20)) * 3
    >>> X = np.vstack([c + rng.standard_normal((30, 20)) * 0.3 for c in centres])
    >>> cl = Clusterer(method="kmeans", k_range=(2, 6), random_state=0).fit(X)
    >>> cl.selection_["k"].tolist()  # the k scanned (criterion="stability")
    [2, 3, 4, 5, 6]
    >>> cl.n_clusters_
    3
    >>> np.bincount(cl.labels_).tolist()
    [30, 30, 30]
    """

    def __init__(self, method: str = "kmeans", n_clusters: int | None = None, *,
                 k_range: tuple[int, int] = (2, 30), criterion: str = "stability",
                 n_components: int | None = 50, linkage: str = "ward",
                 min_cluster_size: int | None = None, min_samples: int | None = None,
                 n_init: int = 4, final_n_init: int | None = 10, subsample: int = 2000,
                 selection_size: int | None = None,
                 selection_fraction: float = 0.5, n_fits: int = 20, max_fits: int | None = 100,
                 min_stability: float = 0.75,
                 patience: int | None = 3,
                 threads: int | None = 1,
                 random_state: int | np.random.Generator | None = None) -> None:
        self.method = method
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.criterion = criterion
        self.n_components = n_components
        self.linkage = linkage
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_init = n_init
        self.final_n_init = final_n_init
        self.subsample = subsample
        self.selection_size = selection_size
        self.selection_fraction = selection_fraction
        self.n_fits = n_fits
        self.max_fits = max_fits
        self.min_stability = min_stability
        self.patience = patience
        self.threads = threads
        self.random_state = random_state

    # -- parameter checks
    def _check_params(self, n: int) -> None:
        if self.method not in _METHODS:
            raise ClusterError(f"method must be one of {_METHODS}, got {self.method!r}")
        if self.criterion not in _CRITERIA:
            raise ClusterError(f"criterion must be one of {_CRITERIA}, got {self.criterion!r}")
        if self.method == "hdbscan" and self.n_clusters is not None:
            raise ClusterError("method='hdbscan' chooses the number of clusters itself; leave n_clusters=None")
        if self.n_clusters is not None:
            if not isinstance(self.n_clusters, (int, np.integer)) or self.n_clusters < 1:
                raise ClusterError(f"n_clusters must be a positive int or None, got {self.n_clusters!r}")
            if self.n_clusters > n:
                raise ClusterError(f"n_clusters={self.n_clusters} exceeds the number of rows ({n})")
        elif self.method != "hdbscan":
            lo, hi = self.k_range
            if lo < 2 or hi < lo:
                raise ClusterError(f"k_range must be (lo, hi) with 2 <= lo <= hi, got {self.k_range!r}")
            if lo >= n:
                raise ClusterError(f"k_range starts at {lo} but there are only {n} rows")
            if self.criterion == "stability":
                if not isinstance(self.n_fits, (int, np.integer)) or self.n_fits < 3:
                    raise ClusterError(f"n_fits must be an int >= 3 (pairs of clusterings and a jackknife "
                                       f"standard error need three), got {self.n_fits!r}")
                if self.max_fits is not None and (not isinstance(self.max_fits, (int, np.integer))
                                                   or self.max_fits < self.n_fits):
                    raise ClusterError(f"max_fits must be None or an int >= n_fits ({self.n_fits}), "
                                       f"got {self.max_fits!r}")
                if not 0 < self.selection_fraction <= 1:
                    raise ClusterError(f"selection_fraction must be in (0, 1], got {self.selection_fraction!r}")
                m = _fit_size(min(n, self.selection_size or n), self.selection_fraction)
                if lo >= m:
                    raise ClusterError(f"k_range starts at {lo}, but the stability criterion clusters subsamples "
                                       f"of {m} rows; use a smaller k, a larger selection_fraction or "
                                       "criterion='silhouette'")
        if self.method == "agglomerative":
            if self.linkage not in ("ward", "average", "complete"):
                raise ClusterError(f"linkage must be 'ward', 'average' or 'complete', got {self.linkage!r}")
            if n > 30000:
                raise ClusterError(f"agglomerative clustering needs O(n^2) memory; {n} rows is too many "
                                   "(use method='kmeans' or 'hdbscan', or cluster a subsample)")

    # -- preprocessing
    def _fit_transform_space(self, X: Any) -> np.ndarray:
        Z = _check_embeddings(X)
        self.n_features_in_ = Z.shape[1]
        self.pca_ = None
        if self.n_components is not None and self.n_components < min(Z.shape):
            from sklearn.decomposition import PCA
            self.pca_ = PCA(n_components=self.n_components, svd_solver=_pca_solver(Z)).fit(Z)
            Z = _normalise_rows(self.pca_.transform(Z))
        return Z

    def transform_space(self, X: Any) -> np.ndarray:
        """Map embeddings into the (normalised, possibly PCA-reduced) clustering space."""
        Z = _check_embeddings(X)
        if Z.shape[1] != getattr(self, "n_features_in_", Z.shape[1]):
            raise ClusterError(f"embeddings have {Z.shape[1]} columns, the clusterer was fitted on {self.n_features_in_}")
        if getattr(self, "pca_", None) is not None:
            Z = _normalise_rows(self.pca_.transform(Z))
        return Z

    # -- one clustering at fixed k on prepared vectors
    def _cluster_k(self, Z: np.ndarray, k: int | None, seed: int, tree: Any = None,
                   final: bool = False) -> np.ndarray:
        if self.method == "kmeans":
            from sklearn.cluster import KMeans
            n_init = self.final_n_init if (final and self.final_n_init is not None) else self.n_init
            return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(Z).labels_
        if self.method == "agglomerative":
            from scipy.cluster.hierarchy import fcluster
            if tree is None:
                tree = self._tree(Z)
            return fcluster(tree, t=k, criterion="maxclust") - 1
        from sklearn.cluster import HDBSCAN
        mcs = self.min_cluster_size if self.min_cluster_size is not None else max(10, Z.shape[0] // 200)
        mcs = max(2, min(mcs, Z.shape[0]))
        return HDBSCAN(min_cluster_size=mcs, min_samples=self.min_samples, metric="euclidean",
                       copy=True).fit(Z).labels_

    def _tree(self, Z: np.ndarray) -> np.ndarray:
        from scipy.cluster.hierarchy import linkage
        metric = "euclidean" if self.linkage == "ward" else "cosine"
        return linkage(Z.astype(np.float64), method=self.linkage, metric=metric)

    def _select_k(self, Z: np.ndarray, rng: np.random.Generator) -> tuple[int, np.ndarray, pd.DataFrame]:
        full = Z
        if self.selection_size is not None and Z.shape[0] > self.selection_size:
            Z = full[np.sort(rng.choice(full.shape[0], size=self.selection_size, replace=False))]
        lo, hi = self.k_range
        hi = min(hi, Z.shape[0] - 1)
        ks = list(range(lo, hi + 1))
        tree = self._tree(Z) if (self.method == "agglomerative" and self.criterion == "silhouette") else None
        rows = []
        best_labels: dict[int, np.ndarray] = {}
        if self.criterion == "silhouette":
            from sklearn.metrics import silhouette_score
            m = min(self.subsample, Z.shape[0])
            idx = np.sort(rng.choice(Z.shape[0], size=m, replace=False))
            seed = _seed(rng)
            for k in ks:
                lab = self._cluster_k(Z, k, seed, tree)
                best_labels[k] = lab
                sub = lab[idx]
                score = (silhouette_score(Z[idx], sub, metric="cosine")
                         if 1 < len(np.unique(sub)) < len(sub) else np.nan)
                rows.append({"k": k, "score": float(score)})
            table = pd.DataFrame(rows)
            if table["score"].notna().any():
                k_best = int(table.loc[table["score"].idxmax(), "k"])
            else:
                k_best = ks[0]
            if Z is full and (self.method != "kmeans" or self.final_n_init in (None, self.n_init)):
                labels = best_labels[k_best]
            else:
                labels = self._cluster_k(full, k_best, seed, self._tree(full) if tree is not None else None,
                                         final=True)
            return k_best, labels, table.assign(criterion="silhouette (cosine)")
        # stability: the same half-samples for every k; every clustering labels all points
        n = Z.shape[0]
        m = _fit_size(n, self.selection_fraction)
        ks = [k for k in ks if k < m]  # non-empty: _check_params requires k_range[0] < m
        subs: list[np.ndarray] = []   # half-samples, drawn as needed and shared by every k
        trees: list[Any] = []
        cap = max(self.n_fits, self.max_fits or self.n_fits)
        labs: dict[int, list[np.ndarray]] = {}
        pairs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        stats: dict[int, tuple[float, float]] = {}

        def add_fits(k: int) -> None:
            have = labs.setdefault(k, [])
            for f in range(len(have), len(have) + self.n_fits):
                if f == len(subs):
                    subs.append(np.sort(rng.choice(n, size=m, replace=False)))
                    trees.append(None)
                sub = subs[f]
                if self.method == "agglomerative" and trees[f] is None:
                    trees[f] = self._tree(Z[sub])
                lab = self._cluster_k(Z[sub], k, _seed(rng), trees[f])
                kk = int(lab.max()) + 1
                sims = Z @ _centroids(Z[sub], lab, kk).T
                sims[:, np.bincount(lab, minlength=kk) == 0] = -np.inf  # an empty cluster takes no point
                have.append(np.argmax(sims, axis=1).astype(np.int32))
            pairs[k] = _pair_scores(have, *pairs.get(k, (None, None)))
            stats[k] = _jackknife_pair_mean(pairs[k][0])

        def accepted(k: int) -> bool:
            score, se = stats[k]
            return score - se >= self.min_stability

        # pass 1: n_fits clusterings for each k, until `patience` k in a row fail
        failed, passed = 0, False
        for k in ks:
            add_fits(k)
            ok = accepted(k)
            passed = passed or ok
            failed = failed + 1 if (passed and not ok) else 0
            if self.patience is not None and failed >= self.patience:
                break
        # pass 2 (sequential Monte Carlo): from the largest k scanned down to the first accepted
        # one -- the only k that can change the choice -- add fits while min_stability lies
        # within _CONTINUE_SE standard errors of the score
        for k in sorted(stats, reverse=True):
            while (abs(stats[k][0] - self.min_stability) < _CONTINUE_SE * stats[k][1]
                   and len(labs[k]) + self.n_fits <= cap):
                add_fits(k)
            if accepted(k):
                break
        rows = []
        for k in sorted(stats):
            S, A = pairs[k]
            iu = np.triu_indices(S.shape[0], 1)
            score, se = stats[k]
            rows.append({"k": k, "score": score, "se": se, "lower": score - se, "n_fits": S.shape[0],
                         "median": float(np.median(S[iu])), "q25": float(np.quantile(S[iu], 0.25)),
                         "ari": float(A[iu].mean())})
        table = pd.DataFrame(rows)
        k_best, accepted = _one_se_choice(table["k"].to_numpy(), table["score"].to_numpy(),
                                          table["se"].to_numpy(), self.min_stability)
        table.insert(4, "accepted", accepted)
        table.insert(5, "chosen", table["k"] == k_best)
        labels = self._cluster_k(full, k_best, _seed(rng), final=True)
        return k_best, labels, table.assign(
            criterion="stability (least stable cluster's Jaccard, mean over pairs of subsample fits; 1-SE rule)")

    def fit(self, X: Any, y: Any = None) -> "Clusterer":
        """Cluster the rows of ``X`` (embeddings, shape ``(n, d)``). Returns self."""
        with _threads(self.threads):
            return self._fit(X)

    def _fit(self, X: Any) -> "Clusterer":
        Z = self._fit_transform_space(X)
        self._check_params(Z.shape[0])
        rng = _rng(self.random_state)
        self.selection_ = None
        if self.method == "hdbscan":
            labels = self._cluster_k(Z, None, 0)
        elif self.n_clusters is None:
            _, labels, self.selection_ = self._select_k(Z, rng)
        else:
            labels = self._cluster_k(Z, int(self.n_clusters), _seed(rng), final=True)
        self.labels_ = _relabel_by_size(labels)
        self.n_clusters_ = int(self.labels_.max() + 1) if (self.labels_ >= 0).any() else 0
        self.cluster_centers_ = _centroids(Z, self.labels_, self.n_clusters_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Assign rows to the nearest cluster centre by cosine (k-means, agglomerative).

        HDBSCAN has no out-of-sample rule here: it raises.
        """
        if self.method == "hdbscan":
            raise ClusterError("predict() is not defined for method='hdbscan' (noise would be ambiguous)")
        if not hasattr(self, "cluster_centers_"):
            raise ClusterError("this Clusterer is not fitted yet; call fit(X) first")
        Z = self.transform_space(X)
        return np.argmax(Z @ self.cluster_centers_.T, axis=1)


def _centroids(Z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    if k == 0:
        return np.zeros((0, Z.shape[1]), dtype=np.float32)
    mask = labels >= 0
    M = sparse.csr_matrix((np.ones(mask.sum()), (labels[mask], np.flatnonzero(mask))), shape=(k, Z.shape[0]))
    return _normalise_rows(np.asarray(M @ Z.astype(np.float64)))


# ----------------------------------------------------------------------------- stability

class StableClusters(BaseEstimator):
    """Clusters that survive resampling: agreement, per-cluster stability and a consensus.

    Procedure (Hennig 2007, with the overall agreement of Ben-Hur et al. 2002 and
    Lange et al. 2004):

    1. Fit the clusterer on all points: the *reference* clustering, with k clusters (k is
       chosen once here, by the clusterer's criterion, and then held fixed).
    2. Draw ``n_resamples`` resamples -- ``"subsample"``: a random ``fraction`` of the points
       without replacement (default; Hennig's "subsetting", safe for HDBSCAN and
       agglomerative clustering, which duplicates would distort); ``"bootstrap"``: draw n
       points with replacement and score the distinct points drawn; ``"seed"``: all points,
       only the random seed changes (measures k-means' sensitivity to initialisation) -- and
       recluster each with the same method and k in the same (PCA) space.
    3. Per reference cluster C and resample b: the Jaccard similarity of C (restricted to
       the resampled points) with its best-matching resample cluster. The mean over
       resamples is the cluster's stability. A cluster is ``stable`` when the mean Jaccard
       is at least ``threshold`` (default 0.75, Hennig's guideline for a valid cluster;
       0.6-0.75 indicates a pattern whose membership is doubtful, below 0.6 the cluster
       should not be trusted, 0.85+ is highly stable -- kept in column ``verdict``).
       ``dissolved`` is the share of resamples in which the best Jaccard was <= 0.5.
    4. Overall agreement: ARI of every resample with the reference on the points it holds,
       and the ARI of every pair of resamples on their common points (mean, spread,
       distribution in ``pairwise_ari_``).
    5. Consensus: each resample's clusters are aligned to the reference clusters by the
       Hungarian algorithm on the Jaccard matrix (``scipy.optimize.linear_sum_assignment``;
       resample clusters left unmatched vote "unclustered"). A point gets the cluster that
       holds a strict majority (``> min_agreement``) of the resamples that contain it,
       otherwise -1 (ambiguous). No dense n x n co-association matrix is formed, so memory
       is O(n * (k + n_resamples)).

    Unclustered points (-1 in ``labels_``) are counted in ``unclustered_`` and in the row
    ``cluster == -1`` of ``clusters_`` -- they are never dropped. ``stable_labels_`` also
    sets the points of unstable clusters to -1: use it when presenting findings.

    Parameters
    ----------
    clusterer : Clusterer or None
        The clustering method (default ``Clusterer()``: k-means, k by stability). It is
        cloned; its ``random_state`` is replaced by draws from ``random_state`` here.
    n_resamples : int
        Number of resamples (at least 10 is advisable; 20 by default).
    resample : {"subsample", "bootstrap", "seed"}
    fraction : float
        Subsample size as a fraction of n (``resample="subsample"``).
    threshold : float
        Mean Jaccard at or above which a cluster is stable.
    min_agreement : float
        A point joins its consensus cluster when more than this share of the resamples that
        contain it agree.
    pairwise : bool
        Also compute the ARI between all pairs of resamples (``n_resamples^2 / 2`` ARIs).
    random_state : int, numpy Generator or None

    Attributes
    ----------
    labels_ : ndarray of int
        Consensus labels (0..k-1, -1 = unclustered).
    stable_labels_ : ndarray of int
        ``labels_`` with the points of unstable clusters set to -1.
    reference_ : Clusterer
        The clustering of all points; ``reference_labels_`` its labels.
    n_clusters_ : int
    clusters_ : DataFrame
        One row per reference cluster plus one for unclustered points: ``cluster``,
        ``size`` (consensus), ``share``, ``reference_size``, ``jaccard_mean``,
        ``jaccard_median``, ``jaccard_sd``, ``jaccard_min``, ``dissolved``, ``stable``,
        ``verdict``.
    jaccard_ : ndarray, shape (n_resamples, n_clusters_)
        Best-match Jaccard per resample and reference cluster (NaN if the cluster had no
        point in the resample).
    ari_ : DataFrame
        ``resample``, ``ari_reference`` (ARI with the reference on the resample's points).
    pairwise_ari_ : ndarray
        ARI for every pair of resamples (empty if ``pairwise=False``).
    ari_summary_ : dict
        Means, standard deviations and 5/95 % quantiles of both ARI kinds.
    agreement_ : ndarray of float
        Share of a point's resamples that put it in its consensus cluster.
    unclustered_ : dict
        ``n``, ``share``, ``noise`` (noise in the reference), ``ambiguous`` (no majority),
        and ``n_in_unstable`` / ``share_in_unstable`` (points in unstable clusters).
    resample_labels_ : ndarray of int, shape (n_resamples, n)
        Raw labels per resample (-2 where a point was not drawn).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> centres = rng.standard_normal((3, 16)) * 3
    >>> X = np.vstack([c + rng.standard_normal((40, 16)) * 0.3 for c in centres])
    >>> sc = StableClusters(Clusterer(n_clusters=3), n_resamples=10, random_state=0).fit(X)
    >>> sc.clusters_[["cluster", "size", "stable"]].to_string(index=False)
    ' cluster  size  stable\\n       0    40    True\\n       1    40    True\\n       2    40    True\\n      -1     0   False'
    >>> round(sc.ari_summary_["pairwise_mean"], 2)
    1.0
    """

    def __init__(self, clusterer: Clusterer | None = None, *, n_resamples: int = 20,
                 resample: str = "subsample", fraction: float = 0.8, threshold: float = 0.75,
                 min_agreement: float = 0.5, pairwise: bool = True,
                 random_state: int | np.random.Generator | None = None) -> None:
        self.clusterer = clusterer
        self.n_resamples = n_resamples
        self.resample = resample
        self.fraction = fraction
        self.threshold = threshold
        self.min_agreement = min_agreement
        self.pairwise = pairwise
        self.random_state = random_state

    def _check(self) -> None:
        if self.resample not in ("subsample", "bootstrap", "seed"):
            raise ClusterError(f"resample must be 'subsample', 'bootstrap' or 'seed', got {self.resample!r}")
        if not (isinstance(self.n_resamples, (int, np.integer)) and self.n_resamples >= 2):
            raise ClusterError(f"n_resamples must be an int >= 2, got {self.n_resamples!r}")
        if not 0 < self.fraction <= 1:
            raise ClusterError(f"fraction must be in (0, 1], got {self.fraction!r}")
        if not 0 <= self.min_agreement < 1:
            raise ClusterError(f"min_agreement must be in [0, 1), got {self.min_agreement!r}")

    def fit(self, X: Any, y: Any = None) -> "StableClusters":
        """Run the reference clustering and the resamples on embeddings ``X``. Returns self."""
        self._check()
        threads = getattr(self.clusterer, "threads", 1) if self.clusterer is not None else 1
        with _threads(threads):
            return self._fit(X)

    def _fit(self, X: Any) -> "StableClusters":
        from scipy.optimize import linear_sum_assignment

        rng = _rng(self.random_state)
        base = clone(self.clusterer) if self.clusterer is not None else Clusterer()
        if not isinstance(base, Clusterer):
            raise TypeError(f"clusterer must be a framing.cluster.Clusterer, got {type(base).__name__}")
        ref = clone(base).set_params(random_state=_seed(rng)).fit(X)
        self.reference_ = ref
        Z = ref.transform_space(X)
        n = Z.shape[0]
        k = ref.n_clusters_
        ref_labels = ref.labels_
        self.reference_labels_ = ref_labels
        self.n_clusters_ = k
        # the resample clusterer: same method, k fixed, already in the clustering space
        fixed: dict[str, Any] = {"n_components": None, "final_n_init": None}
        if ref.method != "hdbscan":
            fixed["n_clusters"] = max(k, 1)
        elif ref.min_cluster_size is None:
            # keep HDBSCAN's size rule relative to the full data set
            fixed["min_cluster_size"] = max(10, n // 200)

        B = int(self.n_resamples)
        R = np.full((B, n), _ABSENT, dtype=np.int64)
        jac = np.full((B, k), np.nan)
        ari_ref = np.full(B, np.nan)
        votes = np.zeros((n, k + 1), dtype=np.int32)  # last column: unclustered vote
        m = max(2, int(round(self.fraction * n)))
        for b in range(B):
            seed = _seed(rng)
            if self.resample == "subsample":
                idx = np.sort(rng.choice(n, size=m, replace=False))
                fit_idx = idx
            elif self.resample == "bootstrap":
                fit_idx = rng.integers(0, n, size=n)
                idx, first = np.unique(fit_idx, return_index=True)
            else:
                idx = fit_idx = np.arange(n)
            cl = clone(base).set_params(random_state=seed, **fixed)
            lab = cl.fit(Z[fit_idx]).labels_
            if self.resample == "bootstrap":
                lab = lab[first]
            R[b, idx] = lab
            r = ref_labels[idx]
            ari_ref[b] = adjusted_rand_score(r, lab)
            if k == 0:
                continue
            J = _jaccard_table(r, lab, k)
            present = np.bincount(r[r >= 0], minlength=k)[:k] > 0
            best = J.max(axis=1)
            jac[b] = np.where(present, best, np.nan)
            # Hungarian alignment of resample clusters to reference clusters
            others = np.unique(lab[lab >= 0])
            aligned = np.full(len(idx), k)  # default: unclustered vote
            if len(others):
                rows, cols = linear_sum_assignment(-J)
                mapping = np.full(len(others), k)
                ok = J[rows, cols] > 0
                mapping[cols[ok]] = rows[ok]
                pos = lab >= 0
                aligned[pos] = mapping[np.searchsorted(others, lab[pos])]
            np.add.at(votes, (idx, aligned), 1)

        self.resample_labels_ = R
        self.jaccard_ = jac
        self.ari_ = pd.DataFrame({"resample": np.arange(B), "ari_reference": ari_ref})
        self.pairwise_ari_ = _pairwise_ari(R) if self.pairwise else np.array([])
        pw = self.pairwise_ari_
        self.ari_summary_ = {
            "reference_mean": float(np.nanmean(ari_ref)),
            "reference_sd": float(np.nanstd(ari_ref)),
            "reference_q05": float(np.nanquantile(ari_ref, 0.05)),
            "reference_q95": float(np.nanquantile(ari_ref, 0.95)),
            "pairwise_mean": float(pw.mean()) if len(pw) else float("nan"),
            "pairwise_sd": float(pw.std()) if len(pw) else float("nan"),
            "pairwise_q05": float(np.quantile(pw, 0.05)) if len(pw) else float("nan"),
            "pairwise_q95": float(np.quantile(pw, 0.95)) if len(pw) else float("nan"),
            "n_resamples": B,
            "resample": self.resample,
        }

        # consensus by majority vote
        n_present = (R != _ABSENT).sum(axis=0)
        if k > 0:
            best_c = votes[:, :k].argmax(axis=1)
            best_v = votes[np.arange(n), best_c]
        else:
            best_c = np.zeros(n, dtype=np.int64)
            best_v = np.zeros(n)
        with np.errstate(invalid="ignore", divide="ignore"):
            agree = np.where(n_present > 0, best_v / np.maximum(n_present, 1), np.nan)
        labels = np.where(agree > self.min_agreement, best_c, UNCLUSTERED)
        never = n_present == 0
        labels[never] = ref_labels[never]
        agree[never] = np.nan
        self.labels_ = labels.astype(np.int64)
        self.agreement_ = agree

        # per-cluster table
        jm = np.nanmean(jac, axis=0) if k else np.array([])
        rows = []
        for c in range(k):
            col = jac[:, c][~np.isnan(jac[:, c])]
            mean = float(col.mean()) if len(col) else float("nan")
            rows.append({
                "cluster": c,
                "size": int((labels == c).sum()),
                "share": float((labels == c).mean()),
                "reference_size": int((ref_labels == c).sum()),
                "jaccard_mean": mean,
                "jaccard_median": float(np.median(col)) if len(col) else float("nan"),
                "jaccard_sd": float(col.std()) if len(col) else float("nan"),
                "jaccard_min": float(col.min()) if len(col) else float("nan"),
                "dissolved": float((col <= 0.5).mean()) if len(col) else float("nan"),
                "stable": bool(mean >= self.threshold),
                "verdict": _verdict(mean),
            })
        n_unc = int((labels == UNCLUSTERED).sum())
        rows.append({"cluster": UNCLUSTERED, "size": n_unc, "share": n_unc / n,
                     "reference_size": int((ref_labels == UNCLUSTERED).sum()),
                     "jaccard_mean": np.nan, "jaccard_median": np.nan, "jaccard_sd": np.nan,
                     "jaccard_min": np.nan, "dissolved": np.nan, "stable": False,
                     "verdict": "unclustered"})
        self.clusters_ = pd.DataFrame(rows)
        self.clusters_.attrs["threshold"] = self.threshold
        stable_ids = np.flatnonzero(jm >= self.threshold) if k else np.array([], dtype=int)
        self.stable_clusters_ = stable_ids.tolist()
        self.stable_labels_ = np.where(np.isin(labels, stable_ids), labels, UNCLUSTERED)
        noise = int(((labels == UNCLUSTERED) & (ref_labels == UNCLUSTERED)).sum())
        in_unstable = int(((labels >= 0) & ~np.isin(labels, stable_ids)).sum())
        self.unclustered_ = {
            "n": n_unc, "share": n_unc / n, "noise": noise, "ambiguous": n_unc - noise,
            "n_in_unstable": in_unstable, "share_in_unstable": in_unstable / n,
            "share_not_stable": float((self.stable_labels_ == UNCLUSTERED).mean()),
        }
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return the consensus labels."""
        return self.fit(X).labels_

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: after :meth:`fit`, the clusters and their stability.

        Replaces scikit-learn's estimator diagram, which shows the parameters only.
        """
        params = {"n_resamples": self.n_resamples, "threshold": self.threshold}
        if not hasattr(self, "clusters_"):
            return html_summary("StableClusters (not fitted)", params)
        params.update(n_clusters=self.n_clusters_, stable=self.stable_clusters_,
                      unclustered_share=self.unclustered_["share"])
        return html_summary("StableClusters", params, self.clusters_)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def summary(self) -> str:
        """A short plain-text report: k, stable clusters, unclustered share, agreement."""
        if not hasattr(self, "clusters_"):
            raise ClusterError("this StableClusters is not fitted yet; call fit(X) first")
        t = self.clusters_[self.clusters_["cluster"] >= 0]
        s = self.ari_summary_
        lines = [
            f"{self.n_clusters_} clusters ({self.reference_.method}); {len(self.stable_clusters_)} stable "
            f"(mean Jaccard >= {self.threshold} over {s['n_resamples']} {s['resample']} resamples): "
            f"{self.stable_clusters_}",
            f"unstable: {t.loc[~t['stable'], 'cluster'].tolist()}",
            f"unclustered: {self.unclustered_['share']:.1%} of points (no majority or noise); "
            f"{self.unclustered_['share_in_unstable']:.1%} more are in unstable clusters",
            f"ARI with reference: {s['reference_mean']:.3f} +/- {s['reference_sd']:.3f}; "
            f"between resamples: {s['pairwise_mean']:.3f} (5-95%: {s['pairwise_q05']:.3f}-{s['pairwise_q95']:.3f})",
        ]
        return "\n".join(lines)


def _verdict(mean_jaccard: float) -> str:
    if not np.isfinite(mean_jaccard):
        return "not assessed"
    if mean_jaccard >= 0.85:
        return "highly stable"
    if mean_jaccard >= 0.75:
        return "stable"
    if mean_jaccard >= 0.6:
        return "pattern (membership doubtful)"
    return "unstable"


def cluster_stability(embeddings: Any, *, method: str = "kmeans", n_clusters: int | None = None,
                      n_resamples: int = 20, resample: str = "subsample", fraction: float = 0.8,
                      threshold: float = 0.75, random_state: int | np.random.Generator | None = None,
                      **clusterer_params: Any) -> StableClusters:
    """Cluster ``embeddings`` and assess each cluster's stability under resampling.

    A functional front end to :class:`StableClusters` (see there for the procedure and the
    references: Hennig 2007; Ben-Hur et al. 2002; Lange et al. 2004). Further keyword
    arguments go to :class:`Clusterer`.

    Returns
    -------
    StableClusters
        Fitted: ``clusters_`` (per-cluster stability, ``stable`` flag), ``labels_``
        (consensus, -1 unclustered), ``stable_labels_``, ``ari_summary_``, ``summary()``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> X = np.vstack([rng.normal(m, 0.2, (25, 8)) for m in (-2, 2)])
    >>> X[:, 1] += np.repeat([3.0, -3.0], 25)
    >>> sc = cluster_stability(X, n_clusters=2, n_resamples=10, random_state=0)
    >>> sc.stable_clusters_
    [0, 1]
    """
    clus = Clusterer(method=method, n_clusters=n_clusters, **clusterer_params)
    return StableClusters(clus, n_resamples=n_resamples, resample=resample, fraction=fraction,
                          threshold=threshold, random_state=random_state).fit(embeddings)


# ----------------------------------------------------------------------------- description

@dataclass
class ClusterDescription:
    """What :func:`describe_clusters` returns: four tidy tables.

    Attributes
    ----------
    terms : DataFrame
        ``cluster``, ``rank`` (1 = most distinctive), ``term``, ``score`` (c-TF-IDF),
        ``count`` (occurrences in the cluster).
    exemplars : DataFrame
        ``cluster``, ``rank``, ``row`` (position in the input table), ``doc_id``, (``sent_id``),
        the group column (``outlet`` by default), ``text``, ``similarity`` (cosine to the
        cluster centroid).
    sizes : DataFrame
        ``cluster``, the group column, ``n``, ``share_of_cluster``, ``share_of_group``.
    summary : DataFrame
        One row per cluster: ``cluster``, ``size``, ``share``, ``top_terms`` (joined),
        ``exemplar`` (the most central text), ``groups`` (count per group as text).
    """

    terms: pd.DataFrame
    exemplars: pd.DataFrame
    sizes: pd.DataFrame
    summary: pd.DataFrame

    def __repr__(self) -> str:
        return f"ClusterDescription({len(self.summary)} clusters)\n{self.summary.to_string(index=False, max_colwidth=60)}"

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: one row per cluster (size, top terms, exemplar)."""
        return html_summary("ClusterDescription", {"clusters": len(self.summary)}, self.summary)


def _resolve_embeddings(texts: Sequence[str], embeddings: Any, encoder: Any, n: int) -> np.ndarray:
    if embeddings is not None:
        E = _check_embeddings(embeddings)
    elif encoder is not None:
        if not hasattr(encoder, "encode"):
            raise TypeError(f"encoder must have an encode(texts) method, got {type(encoder).__name__}")
        E = _check_embeddings(encoder.encode(list(texts)))
    else:
        raise ClusterError("pass embeddings= (one row per table row) or encoder= (an object with encode(texts))")
    if E.shape[0] != n:
        raise ClusterError(f"embeddings have {E.shape[0]} rows but the table has {n}")
    return E


def _labels_array(labels: Any, n: int, name: str = "labels") -> np.ndarray:
    if isinstance(labels, (StableClusters, Clusterer)):
        labels = labels.labels_
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ClusterError(f"{name} must be 1-D, got shape {lab.shape}")
    if len(lab) != n:
        raise ClusterError(f"{name} has {len(lab)} entries but the table has {n} rows")
    if not np.issubdtype(lab.dtype, np.integer):
        try:
            as_int = lab.astype(np.int64)
        except (TypeError, ValueError):
            raise ClusterError(f"{name} must be integers (-1 = unclustered)") from None
        if not np.array_equal(as_int, lab):
            raise ClusterError(f"{name} must be integers (-1 = unclustered)")
        lab = as_int
    if (lab < UNCLUSTERED).any():
        raise ClusterError(f"{name} row {int(np.flatnonzero(lab < UNCLUSTERED)[0])}: labels must be >= -1")
    return lab.astype(np.int64)


def _require_columns(table: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ClusterError(f"{what} lacks column(s) {missing}; it has {list(table.columns)}")


def describe_clusters(table: pd.DataFrame, labels: Any, *, embeddings: Any = None, encoder: Any = None,
                      text: str = "text", group: str = "outlet", top_terms: int = 10, exemplars: int = 5,
                      stop_words: str | Sequence[str] | None = "english", ngram_range: tuple[int, int] = (1, 1),
                      min_df: int = 2) -> ClusterDescription:
    """Describe each cluster: distinguishing terms, central exemplars, size per outlet.

    Terms are ranked by class-based TF-IDF (Grootendorst 2022): all texts of a cluster are
    one class; with ``tf[t, c]`` the frequency of term t in class c divided by the class's
    total term count, ``A`` the average number of terms per class and ``f[t]`` the total
    count of t over all classes, ``score[t, c] = tf[t, c] * log(1 + A / f[t])``. Counting uses
    scikit-learn's ``CountVectorizer`` (English stop words removed by default; terms in
    fewer than ``min_df`` texts ignored). Unclustered rows (-1) form their own class, so the
    vocabulary weights are not skewed by leaving them out, and are described too.

    Exemplars are the texts whose embeddings are most cosine-similar to the cluster's
    normalised mean embedding.

    Parameters
    ----------
    table : DataFrame
        Sentence table (``framing.split_sentences``) or corpus, one row per clustered item,
        with columns ``text`` and ``group`` (and ``doc_id``/``sent_id`` if present).
    labels : array of int, or a fitted Clusterer / StableClusters
        Cluster per row (-1 = unclustered).
    embeddings : array, optional
        One row per table row; else ``encoder`` is used to embed ``table[text]``.
    encoder : object with ``encode(texts)``, optional
    text, group : str
        Column names.
    top_terms, exemplars : int
        How many terms and exemplar texts per cluster.
    stop_words, ngram_range, min_df
        Passed to ``CountVectorizer``.

    Returns
    -------
    ClusterDescription

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> t = pd.DataFrame({"doc_id": list("abcdef"), "outlet": ["X", "X", "Y", "Y", "X", "Y"],
    ...                   "text": ["missile strike city", "missile strike base", "strike missile",
    ...                            "vote referendum ballot", "referendum vote result", "ballot vote"]})
    >>> d = describe_clusters(t, [0, 0, 0, 1, 1, 1], encoder=HashEncoder(), top_terms=2, exemplars=1, min_df=1)
    >>> d.terms.groupby("cluster")["term"].apply(list).to_dict()
    {0: ['missile', 'strike'], 1: ['vote', 'ballot']}
    >>> d.sizes.query("cluster == 0")[["outlet", "n"]].to_dict("list")
    {'outlet': ['X', 'Y'], 'n': [2, 1]}
    """
    _require_columns(table, [text, group], "table")
    n = len(table)
    lab = _labels_array(labels, n)
    texts = table[text].astype(str).tolist()
    E = _resolve_embeddings(texts, embeddings, encoder, n)
    from sklearn.feature_extraction.text import CountVectorizer

    classes = np.unique(lab)
    cls_index = np.searchsorted(classes, lab)
    try:
        cv = CountVectorizer(stop_words=stop_words, ngram_range=ngram_range, min_df=min_df)
        counts = cv.fit_transform(texts)
        vocab = np.asarray(cv.get_feature_names_out())
    except ValueError:  # empty vocabulary (e.g. min_df too high for a tiny table)
        counts = sparse.csr_matrix((n, 0))
        vocab = np.array([], dtype=object)
    onehot = sparse.csr_matrix((np.ones(n), (cls_index, np.arange(n))), shape=(len(classes), n))
    class_counts = np.asarray((onehot @ counts).todense(), dtype=float)  # (C, V)
    term_rows = []
    if class_counts.shape[1]:
        totals = class_counts.sum(axis=1, keepdims=True)
        tf = np.divide(class_counts, totals, out=np.zeros_like(class_counts), where=totals > 0)
        f_t = class_counts.sum(axis=0)
        A = class_counts.sum() / len(classes)
        idf = np.log1p(A / np.maximum(f_t, 1))
        ctfidf = tf * idf[None, :]
        for ci, c in enumerate(classes):
            order = np.lexsort((vocab, -ctfidf[ci]))
            order = [j for j in order if class_counts[ci, j] > 0][:top_terms]
            for r, j in enumerate(order, start=1):
                term_rows.append({"cluster": int(c), "rank": r, "term": str(vocab[j]),
                                  "score": float(ctfidf[ci, j]), "count": int(class_counts[ci, j])})
    terms = pd.DataFrame(term_rows, columns=["cluster", "rank", "term", "score", "count"])

    id_cols = [c for c in ("doc_id", "sent_id") if c in table.columns]
    ex_rows = []
    for c in classes:
        rows = np.flatnonzero(lab == c)
        centroid = E[rows].astype(np.float64).mean(axis=0)
        norm = np.linalg.norm(centroid)
        centroid = centroid / norm if norm > 0 else centroid
        sims = E[rows] @ centroid
        order = rows[np.lexsort((rows, -sims))][:exemplars]
        for r, i in enumerate(order, start=1):
            rec = {"cluster": int(c), "rank": r, "row": int(i)}
            for col in id_cols:
                rec[col] = table[col].iloc[i]
            rec[group] = table[group].iloc[i]
            rec["text"] = texts[i]
            rec["similarity"] = float(E[i] @ centroid)
            ex_rows.append(rec)
    exemplar_df = pd.DataFrame(ex_rows, columns=["cluster", "rank", "row", *id_cols, group, "text", "similarity"])

    g = table[group].astype(str).to_numpy()
    sizes = (pd.DataFrame({"cluster": lab, group: g}).groupby(["cluster", group]).size()
             .rename("n").reset_index())
    sizes["share_of_cluster"] = sizes["n"] / sizes.groupby("cluster")["n"].transform("sum")
    outlet_tot = pd.Series(g).value_counts()
    sizes["share_of_group"] = sizes["n"] / sizes[group].map(outlet_tot).astype(float)

    summ = []
    for c in classes:
        tt = terms.loc[terms["cluster"] == c, "term"].tolist()
        ex = exemplar_df.loc[exemplar_df["cluster"] == c, "text"]
        per = sizes[sizes["cluster"] == c].sort_values("n", ascending=False)
        summ.append({"cluster": int(c), "size": int((lab == c).sum()), "share": float((lab == c).mean()),
                     "top_terms": ", ".join(tt), "exemplar": ex.iloc[0] if len(ex) else "",
                     "groups": ", ".join(f"{o} {k}" for o, k in zip(per[group], per["n"]))})
    summary = pd.DataFrame(summ)
    return ClusterDescription(terms=terms, exemplars=exemplar_df, sizes=sizes, summary=summary)


# ----------------------------------------------------------------------------- outlet shares

@dataclass
class _UnitTable:
    groups: list[str]          # group names, sorted
    clusters: np.ndarray       # cluster ids (columns of C), -1 last if present
    C: np.ndarray              # (D, K) counts per unit and cluster
    unit_group: np.ndarray     # (D,) group code of each unit
    unit_name: str | None


def _unit_table(table: pd.DataFrame, labels: Any, group: str, unit: str | None) -> _UnitTable:
    cols = [group] + ([unit] if unit is not None else [])
    _require_columns(table, cols, "table")
    n = len(table)
    if n == 0:
        raise ClusterError("table is empty")
    lab = _labels_array(labels, n)
    gser = table[group]
    if gser.isna().any():
        raise ClusterError(f"table column {group!r} row {int(np.flatnonzero(gser.isna().to_numpy())[0])} is missing")
    g = gser.astype(str).to_numpy()
    groups, gcode = np.unique(g, return_inverse=True)
    if unit is None:
        ucode = np.arange(n)
        unit_group = gcode
    else:
        user = table[unit]
        if user.isna().any():
            raise ClusterError(f"table column {unit!r} row {int(np.flatnonzero(user.isna().to_numpy())[0])} is missing")
        _, ucode = np.unique(user.astype(str).to_numpy(), return_inverse=True)
        D = ucode.max() + 1
        ug = np.full(D, -1)
        ug[ucode] = gcode
        conflict = ug[ucode] != gcode
        if conflict.any():
            i = int(np.flatnonzero(conflict)[0])
            raise ClusterError(f"table row {i}: unit {table[unit].iloc[i]!r} (column {unit!r}) belongs to more "
                               f"than one {group!r}; each unit must belong to exactly one group")
        unit_group = ug
    clusters = np.unique(lab)
    if clusters[0] == UNCLUSTERED:  # put unclustered last
        clusters = np.concatenate([clusters[1:], clusters[:1]])
    kcode = np.empty(n, dtype=np.int64)
    for j, c in enumerate(clusters):
        kcode[lab == c] = j
    C = np.zeros((int(ucode.max()) + 1, len(clusters)), dtype=np.float64)
    np.add.at(C, (ucode, kcode), 1.0)
    return _UnitTable(groups=[str(x) for x in groups], clusters=clusters, C=C,
                      unit_group=np.asarray(unit_group), unit_name=unit)


def _bootstrap_counts(ut: _UnitTable, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster bootstrap within each group: (n_boot, G, K) resampled count tables.

    Units (articles) are drawn with replacement within their group, keeping the group's
    number of units; the multiplicity of each unit is one multinomial draw, so a resample is
    a weighted sum ``W @ C`` -- no loop over documents.
    """
    G, K = len(ut.groups), ut.C.shape[1]
    out = np.empty((n_boot, G, K))
    for gi in range(G):
        Cg = ut.C[ut.unit_group == gi]
        ng = Cg.shape[0]
        W = rng.multinomial(ng, np.full(ng, 1.0 / ng), size=n_boot)
        out[:, gi, :] = W @ Cg
    return out


def outlet_shares(table: pd.DataFrame, labels: Any, *, group: str = "outlet", unit: str | None = "doc_id",
                  n_boot: int = 1000, alpha: float = 0.05,
                  random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Share of each outlet's items (sentences) in each cluster, with cluster-bootstrap CIs.

    Sentences of one article are not independent (an article about a strike has many
    strike sentences), so intervals come from a cluster bootstrap (Field & Welsh 2007):
    whole articles (``unit``) are resampled with replacement within each outlet, the share
    is recomputed as (cluster sentences) / (all sentences) of the resample, and the
    ``alpha/2`` and ``1 - alpha/2`` percentiles of ``n_boot`` resamples form the interval.
    Unclustered items (-1) are a category of their own, so each outlet's shares sum to 1.
    An outlet with fewer than ``min_docs`` articles gets NaN intervals and a
    :class:`framing.stats.SmallGroupWarning` naming it: resampling one article gives a
    zero-width interval, a few articles one far too narrow.

    Parameters
    ----------
    table : DataFrame
        One row per clustered item, aligned with ``labels``; needs ``group`` and ``unit``.
    labels : array of int, or a fitted Clusterer / StableClusters
    group : str
        Column with the outlet (or any grouping).
    unit : str or None
        Column identifying the resampling unit (the article); None resamples rows
        (only right if rows are independent).
    n_boot : int
    alpha : float
        1 - confidence level.
    random_state : int, numpy Generator or None
    min_docs : int
        Minimum number of units (articles) for an interval (default
        :data:`framing.stats.MIN_DOCS`, 5).

    Returns
    -------
    DataFrame
        One row per group and cluster: ``group`` (named after the ``group`` column),
        ``cluster``, ``n`` (items in the cluster), ``n_items`` (items of the group),
        ``n_units``, ``share``, ``ci_low``, ``ci_high``. ``attrs`` records the method,
        ``min_docs`` and ``small_groups`` (the groups left without an interval).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outlet": ["A"] * 6 + ["B"] * 6, "doc_id": list("aabbccddeeff")})
    >>> s = outlet_shares(t, [0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1], n_boot=200, random_state=0, min_docs=2)
    >>> s[["outlet", "cluster", "n", "share"]].round(3).to_string(index=False)
    'outlet  cluster  n  share\\n     A        0  3  0.500\\n     A        1  3  0.500\\n     B        0  1  0.167\\n     B        1  5  0.833'
    """
    if not 0 < alpha < 1:
        raise ClusterError(f"alpha must be in (0, 1), got {alpha!r}")
    if n_boot < 1:
        raise ClusterError(f"n_boot must be >= 1, got {n_boot!r}")
    min_docs = check_min_docs(min_docs, caller="outlet_shares")
    ut = _unit_table(table, labels, group, unit)
    rng = _rng(random_state)
    G, K = len(ut.groups), len(ut.clusters)
    obs = np.zeros((G, K))
    np.add.at(obs, ut.unit_group, ut.C)
    tot = obs.sum(axis=1)
    boot = _bootstrap_counts(ut, n_boot, rng)
    bshare = boot / boot.sum(axis=2, keepdims=True)
    lo, hi = np.quantile(bshare, [alpha / 2, 1 - alpha / 2], axis=0)
    n_units = np.bincount(ut.unit_group, minlength=G)
    small = _no_interval(ut.groups, n_units, min_docs, "outlet_shares", unit)
    lo[small], hi[small] = np.nan, np.nan
    out = pd.DataFrame({
        group: np.repeat(ut.groups, K),
        "cluster": np.tile(ut.clusters, G),
        "n": obs.ravel().astype(np.int64),
        "n_items": np.repeat(tot, K).astype(np.int64),
        "n_units": np.repeat(n_units, K),
        "share": (obs / tot[:, None]).ravel(),
        "ci_low": lo.ravel(),
        "ci_high": hi.ravel(),
    })
    out.attrs.update({"method": "cluster bootstrap (percentile)", "unit": unit, "group": group,
                      "n_boot": n_boot, "alpha": alpha, "min_docs": min_docs,
                      "small_groups": [g for g, sm in zip(ut.groups, small) if sm]})
    return out


def _no_interval(groups: list[str], n_units: np.ndarray, min_docs: int, caller: str, unit: str | None) -> np.ndarray:
    """Boolean mask of the groups with fewer than ``min_docs`` units (warned about by name)."""
    small = set(small_groups(dict(zip(groups, n_units.tolist())), min_docs, caller=caller,
                             unit="articles" if unit is not None else "rows", stacklevel=4))
    return np.array([g in small for g in groups], dtype=bool)


@dataclass
class ShareTest:
    """Result of :func:`share_test`.

    Attributes
    ----------
    statistic : float
        Pearson chi-square of the observed group x cluster table.
    cramers_v : float
    p_value : float
        Permutation p-value ``(b + 1) / (B + 1)``, b = permutations with a statistic at least
        as large as observed.
    permutations : int
    cells : DataFrame
        One row per group and cluster: ``observed``, ``expected``, ``residual`` (adjusted
        standardised residual), ``p_value`` (permutation, two-sided on the residual),
        ``p_adjusted`` (Benjamini-Hochberg over all cells), ``share``, ``pooled_share``,
        ``ratio`` (share / pooled share), ``ratio_ci_low``, ``ratio_ci_high`` (cluster
        bootstrap), ``direction`` ("over", "under" or "" when not significant).
    info : dict
        Units, items, groups, clusters, alpha.
    """

    statistic: float
    cramers_v: float
    p_value: float
    permutations: int
    cells: pd.DataFrame
    info: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        sig = self.cells[self.cells["direction"] != ""]
        return (f"ShareTest(chi2={self.statistic:.2f}, V={self.cramers_v:.3f}, p={self.p_value:.4g}, "
                f"B={self.permutations}, {self.info.get('n_units')} units; "
                f"{len(sig)} cells over/under-represented)")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the test and the cells, most significant first."""
        cells = self.cells
        if "p_adjusted" in cells.columns:
            cells = cells.sort_values("p_adjusted", kind="stable")
        params = {"chi2": self.statistic, "cramers_v": self.cramers_v, "p": self.p_value,
                  "permutations": self.permutations, "units": self.info.get("n_units"),
                  "over/under-represented cells": int((self.cells["direction"] != "").sum())
                  if "direction" in self.cells.columns else None}
        return html_summary("ShareTest", params, cells)


def _chi2_parts(T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chi-square statistic, expected counts and adjusted residuals for tables (..., G, K)."""
    N = T.sum(axis=(-2, -1), keepdims=True)
    r = T.sum(axis=-1, keepdims=True)
    c = T.sum(axis=-2, keepdims=True)
    E = r * c / N
    with np.errstate(invalid="ignore", divide="ignore"):
        chi = np.where(E > 0, (T - E) ** 2 / np.where(E > 0, E, 1), 0.0).sum(axis=(-2, -1))
        denom = np.sqrt(E * (1 - r / N) * (1 - c / N))
        resid = np.where(denom > 0, (T - E) / np.where(denom > 0, denom, 1), 0.0)
    return chi, E, resid


def share_test(table: pd.DataFrame, labels: Any, *, group: str = "outlet", unit: str | None = "doc_id",
               permutations: int = 1000, n_boot: int = 1000, alpha: float = 0.05,
               include_unclustered: bool = True,
               random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> ShareTest:
    """Do outlets differ in their cluster mix? Permutation test over whole articles.

    The statistic is Pearson's chi-square on the group x cluster table of item (sentence)
    counts. Under the null hypothesis the group label of an article is exchangeable, so the
    reference distribution comes from permuting group labels across whole articles
    (``unit``), keeping each article's sentences together; the chi-square distribution
    would ignore that sentences of one article cluster together and reject far too often.
    The p-value is ``(b + 1) / (B + 1)``. Cramér's V is reported as effect size.

    Per cell, the adjusted standardised residual (Agresti 2013) says whether a group is over-
    (positive) or under-represented (negative) in a cluster; its two-sided p-value comes
    from the same permutations, and p-values are adjusted with Benjamini-Hochberg (1995)
    over all cells. The share ratio (group share / pooled share) gets a percentile interval
    from a cluster bootstrap of articles within each group; a group with fewer than
    ``min_docs`` articles gets NaN ratio intervals and a
    :class:`framing.stats.SmallGroupWarning`. A cell is flagged "over" or
    "under" when its adjusted p-value is below ``alpha``.

    Parameters
    ----------
    table, labels, group, unit
        As in :func:`outlet_shares`.
    permutations : int
        Number of permutations B.
    n_boot : int
        Bootstrap resamples for the ratio intervals (0 skips them).
    alpha : float
        Level for the flags and the intervals.
    include_unclustered : bool
        Keep -1 as a category (default; otherwise unclustered items are left out of the test
        -- their share is then best reported separately with :func:`outlet_shares`).
    random_state : int, numpy Generator or None
    min_docs : int
        Minimum number of articles of a group for its ratio intervals (default 5).

    Returns
    -------
    ShareTest

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "outlet": ["A"] * 20 + ["B"] * 20})
    >>> t = docs.loc[docs.index.repeat(5)].reset_index(drop=True)
    >>> labels = np.where(t["outlet"] == "A", rng.random(len(t)) < 0.8, rng.random(len(t)) < 0.2).astype(int)
    >>> res = share_test(t, labels, permutations=199, n_boot=200, random_state=1)
    >>> res.p_value < 0.01
    True
    >>> res.cells.query("outlet == 'A' and cluster == 1")["direction"].item()
    'over'
    """
    if permutations < 1:
        raise ClusterError(f"permutations must be >= 1, got {permutations!r}")
    if not 0 < alpha < 1:
        raise ClusterError(f"alpha must be in (0, 1), got {alpha!r}")
    min_docs = check_min_docs(min_docs, caller="share_test")
    lab = _labels_array(labels, len(table))
    if not include_unclustered:
        keep = lab != UNCLUSTERED
        table = table.iloc[np.flatnonzero(keep)]
        lab = lab[keep]
    ut = _unit_table(table, lab, group, unit)
    G, K = len(ut.groups), len(ut.clusters)
    if G < 2:
        raise ClusterError(f"share_test needs at least 2 groups in column {group!r}, found {ut.groups}")
    rng = _rng(random_state)
    D = ut.C.shape[0]
    obs = np.zeros((G, K))
    np.add.at(obs, ut.unit_group, ut.C)
    chi_obs, E_obs, res_obs = _chi2_parts(obs)
    N = obs.sum()
    V = float(np.sqrt(chi_obs / (N * (min(G, K) - 1)))) if min(G, K) > 1 else float("nan")

    # permutations: group codes shuffled across units; tables via one sparse product
    B = int(permutations)
    perm_groups = np.argsort(rng.random((B, D)), axis=1)
    pg = ut.unit_group[perm_groups]  # (B, D): group of unit d in permutation b
    rows = (np.arange(B)[:, None] * G + pg).ravel()
    cols = np.tile(np.arange(D), B)
    S = sparse.csr_matrix((np.ones(B * D), (rows, cols)), shape=(B * G, D))
    T = np.asarray(S @ ut.C).reshape(B, G, K)
    chi_perm, _, res_perm = _chi2_parts(T)
    p = float((1 + np.sum(chi_perm >= chi_obs - 1e-9 * max(1.0, abs(chi_obs)))) / (B + 1))
    p_cell = (1 + (np.abs(res_perm) >= np.abs(res_obs)[None] - 1e-9).sum(axis=0)) / (B + 1)
    from scipy.stats import false_discovery_control
    p_adj = false_discovery_control(p_cell.ravel(), method="bh").reshape(G, K)

    share = obs / obs.sum(axis=1, keepdims=True)
    pooled = obs.sum(axis=0) / N
    ratio = share / pooled[None, :]
    if n_boot:
        boot = _bootstrap_counts(ut, n_boot, rng)
        bshare = boot / boot.sum(axis=2, keepdims=True)
        bpool = boot.sum(axis=1) / boot.sum(axis=(1, 2))[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            bratio = bshare / bpool[:, None, :]
        rlo, rhi = np.nanquantile(bratio, [alpha / 2, 1 - alpha / 2], axis=0)
        small = _no_interval(ut.groups, np.bincount(ut.unit_group, minlength=G), min_docs, "share_test", unit)
        rlo[small], rhi[small] = np.nan, np.nan
    else:
        rlo = rhi = np.full((G, K), np.nan)
    direction = np.where(p_adj < alpha, np.where(res_obs > 0, "over", "under"), "")
    cells = pd.DataFrame({
        group: np.repeat(ut.groups, K),
        "cluster": np.tile(ut.clusters, G),
        "observed": obs.ravel().astype(np.int64),
        "expected": E_obs.ravel(),
        "residual": res_obs.ravel(),
        "p_value": p_cell.ravel(),
        "p_adjusted": p_adj.ravel(),
        "share": share.ravel(),
        "pooled_share": np.tile(pooled, G),
        "ratio": ratio.ravel(),
        "ratio_ci_low": rlo.ravel(),
        "ratio_ci_high": rhi.ravel(),
        "direction": direction.ravel(),
    })
    info = {"unit": unit, "group": group, "n_units": D, "n_items": int(N), "groups": ut.groups,
            "clusters": ut.clusters.tolist(), "alpha": alpha, "n_boot": n_boot, "min_docs": min_docs,
            "statistic": "Pearson chi-square", "null": f"{group} labels exchangeable across {unit or 'rows'}"}
    return ShareTest(statistic=float(chi_obs), cramers_v=V, p_value=p, permutations=B, cells=cells, info=info)


# ----------------------------------------------------------------------------- benchmark

#: What the benchmark installs into its separate BERTopic environment. BERTopic's own
#: dependency on sentence-transformers (and so torch) is left out on purpose: it is given
#: the precomputed embeddings and never embeds anything.
BERTOPIC_PACKAGES = ("hdbscan==0.8.44", "umap-learn==0.5.12", "numba==0.68.1", "llvmlite==0.50.0",
                     "pynndescent==0.7.0", "plotly==7.1.0", "pyyaml", "numpy==2.4.6", "pandas==3.1.1",
                     "scikit-learn==1.9.1", "scipy==1.17.1", "tqdm")
BERTOPIC_VERSION = "0.17.4"

_BERTOPIC_RUNNER = r'''
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from bertopic import BERTopic
from umap import UMAP
import_s = time.perf_counter() - t0
work = sys.argv[1]
X = np.load(f"{work}/embeddings.npy")
docs = json.load(open(f"{work}/docs.json", encoding="utf-8"))
seeds = json.loads(sys.argv[2])
out = {"import_seconds": import_s, "fits": []}
for seed in seeds:
    # BERTopic defaults; only UMAP's seed is fixed (UMAP's default parameters as BERTopic sets them)
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False,
                      random_state=seed)
    t = time.perf_counter()
    topics, _ = BERTopic(umap_model=umap_model).fit_transform(docs, embeddings=X)
    out["fits"].append({"seed": seed, "seconds": time.perf_counter() - t, "topics": [int(v) for v in topics]})
import bertopic, umap, hdbscan
out["versions"] = {"bertopic": bertopic.__version__, "umap-learn": umap.__version__}
json.dump(out, open(f"{work}/result.json", "w"))
'''


def _ensure_bertopic_venv(venv: Path, timeout: float) -> dict:
    """Create ``venv`` with BERTopic if it is not there yet (time-boxed)."""
    py = venv / "bin" / "python"
    if py.exists():
        check = subprocess.run([str(py), "-c", "import bertopic, umap, hdbscan"], capture_output=True, text=True)
        if check.returncode == 0:
            return {"installed": "existing", "seconds": 0.0}
    t = time.perf_counter()
    deadline = t + timeout
    base = getattr(sys, "_base_executable", None) or sys.executable
    steps = [
        [base, "-m", "venv", "--clear", str(venv)],
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         f"bertopic=={BERTOPIC_VERSION}"],
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *BERTOPIC_PACKAGES],
    ]
    for cmd in steps:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"installing BERTopic took longer than {timeout:.0f} s")
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=left)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"installing BERTopic took longer than {timeout:.0f} s ({' '.join(cmd[-2:])})") from None
        if r.returncode != 0:
            tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
            raise RuntimeError(f"{' '.join(cmd[:4])} ... failed: " + " | ".join(tail))
    return {"installed": "new", "seconds": time.perf_counter() - t}


def _selection_record(table: pd.DataFrame | None) -> list[dict] | None:
    """The k-selection table as JSON-friendly rows (rounded), for the benchmark report."""
    if table is None:
        return None
    cols = [c for c in ("k", "score", "se", "lower", "accepted", "chosen", "n_fits") if c in table.columns]
    out = []
    for row in table[cols].to_dict("records"):
        out.append({c: (round(float(v), 4) if isinstance(v, (float, np.floating)) else
                        bool(v) if isinstance(v, (bool, np.bool_)) else int(v)) for c, v in row.items()})
    return out


def _ari_pairs(labelings: list[np.ndarray], mask_fn: Any = None) -> list[float]:
    out = []
    for i in range(len(labelings)):
        for j in range(i + 1, len(labelings)):
            a, b = labelings[i], labelings[j]
            keep = np.ones(len(a), dtype=bool) if mask_fn is None else mask_fn(a, b)
            out.append(float(adjusted_rand_score(a[keep], b[keep])) if keep.sum() > 1 else float("nan"))
    return out


def benchmark(*, corpus: str = "ukraine-media", window: tuple[str, str] = ("2022-09-16", "2022-10-07"),
              model: Any = None, cache_dir: str | os.PathLike | None = None, n_resamples: int = 20,
              seeds: Sequence[int] = (1, 2, 3, 4, 5), clusterer: Clusterer | None = None, bertopic: bool = True,
              bertopic_venv: str | os.PathLike | None = None, install_timeout: float = 900,
              bertopic_timeout: float = 1800) -> dict:
    """Time the full stability analysis on the referendum-window sentences; compare BERTopic.

    Steps: load ``corpus``, keep articles published in ``window`` (inclusive) that are not
    flagged as near-duplicates (``near_dup_of``), split into
    sentences, embed them with :class:`framing.Encoder` (``model=None``: the default model;
    vectors come from the embedding cache after the first run). Then, for each seed in
    ``seeds``, run :class:`StableClusters` (default clusterer: k-means after PCA to 50, k
    chosen over 2-30 by the stability criterion with its one-standard-error rule;
    ``n_resamples`` 80 % subsamples) and time it. Reported: seconds per full analysis, the k
    chosen per seed with the selection table behind it (``selection``: score, standard
    error, lower bound, fits used per k scanned), clusters found and flagged stable, the
    unclustered share (no consensus) and the share outside stable clusters, and the ARI
    across seeds of
    (a) the stable-cluster labelling over all sentences (-1 counted as one class) and
    (b) the same restricted to sentences that are in a stable cluster in both runs; then the
    same with k held fixed at the most frequent choice (``ours_fixed_k``), which separates
    the variability of the choice of k from that of the clusters.

    BERTopic (Grootendorst 2022) with default settings and a fixed UMAP seed runs for
    comparison on the same embeddings (saved as ``.npy``) in a subprocess of a separate
    virtual environment (``bertopic_venv``, default ``.venv-bench-bertopic`` in the
    repository root, or ``$FRAMING_BERTOPIC_VENV``), which is created on first use and
    time-boxed by ``install_timeout``; its first fit (includes numba compilation), warm
    fits, outlier share and ARI across seeds are reported. If it cannot be installed or
    run, ``result["bertopic"]["status"]`` says ``"skipped"`` with the reason.

    Returns
    -------
    dict
        JSON-serialisable: ``data``, ``ours``, ``bertopic``, ``targets``.
    """
    from framing.corpora import load_corpus
    from framing.embed import Encoder
    from framing.segment import split_sentences

    result: dict[str, Any] = {"benchmark": "framing.cluster", "corpus": corpus, "window": list(window)}
    docs = load_corpus(corpus)
    if "near_dup_of" in docs.columns:  # as in the notebooks: a syndicated text counts once
        docs = docs[docs["near_dup_of"].fillna("") == ""]
    lo, hi = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    docs = docs[(docs["published"] >= lo) & (docs["published"] <= hi)]
    sents = split_sentences(docs)
    texts = sents["text"].astype(str).tolist()
    enc = Encoder(model) if cache_dir is None else Encoder(model, cache_dir=cache_dir)
    t = time.perf_counter()
    X = enc.encode(texts)
    result["data"] = {"n_documents": int(docs["doc_id"].nunique()), "n_sentences": len(texts),
                      "outlets": {str(k): int(v) for k, v in docs["outlet"].value_counts().items()},
                      "embedding_model": getattr(enc, "name", str(model)), "embedding_dim": int(X.shape[1]),
                      "embed_seconds": time.perf_counter() - t}

    base = clusterer if clusterer is not None else Clusterer()
    runs = []
    for seed in seeds:
        t = time.perf_counter()
        sc = StableClusters(base, n_resamples=n_resamples, random_state=int(seed)).fit(X)
        runs.append((time.perf_counter() - t, sc))
    stab = [sc.stable_labels_ for _, sc in runs]
    both_stable = lambda a, b: (a >= 0) & (b >= 0)  # noqa: E731
    ari_all = _ari_pairs(stab)
    ari_core = _ari_pairs(stab, both_stable)
    ks = [sc.n_clusters_ for _, sc in runs]
    pairs = [(i, j) for i in range(len(runs)) for j in range(i + 1, len(runs))]
    same_k = [v for (i, j), v in zip(pairs, ari_core) if ks[i] == ks[j]]
    result["ours"] = {
        "method": f"StableClusters({base.method}, criterion={base.criterion}, k_range={tuple(base.k_range)}, "
                  f"n_components={base.n_components}), {n_resamples} subsample resamples",
        "k_rule": ("largest k with score - se >= min_stability (one-SE rule; subsample fits, "
                   f"selection_fraction={base.selection_fraction}, n_fits={base.n_fits}, max_fits={base.max_fits}, min_stability={base.min_stability})"
                   if base.criterion == "stability" and base.n_clusters is None else None),
        "seconds": [s for s, _ in runs],
        "seconds_max": max(s for s, _ in runs),
        "n_clusters": [sc.n_clusters_ for _, sc in runs],
        "selection": [_selection_record(sc.reference_.selection_) for _, sc in runs],
        "n_stable": [len(sc.stable_clusters_) for _, sc in runs],
        "unclustered_share": [sc.unclustered_["share"] for _, sc in runs],
        "not_in_stable_cluster_share": [sc.unclustered_["share_not_stable"] for _, sc in runs],
        "pairwise_ari_within_run": [sc.ari_summary_["pairwise_mean"] for _, sc in runs],
        "ari_across_seeds_stable_labels_all_points": ari_all,
        "ari_across_seeds_stable_clusters_core": ari_core,
        "ari_across_seeds_stable_clusters_core_same_k": same_k,
        "seed_pairs": pairs,
        "stable_cluster_jaccard": [sc.clusters_.loc[sc.clusters_["stable"], "jaccard_mean"].round(3).tolist()
                                   for _, sc in runs],
    }

    # the same with k held fixed at the most frequent choice: isolates the choice of k
    k_mode = int(pd.Series(ks).mode().min())
    fixed = clone(base).set_params(n_clusters=k_mode)
    fruns = []
    for seed in seeds:
        t = time.perf_counter()
        sc = StableClusters(fixed, n_resamples=n_resamples, random_state=int(seed)).fit(X)
        fruns.append((time.perf_counter() - t, sc))
    fstab = [sc.stable_labels_ for _, sc in fruns]
    result["ours_fixed_k"] = {
        "k": k_mode,
        "seconds": [s for s, _ in fruns],
        "n_stable": [len(sc.stable_clusters_) for _, sc in fruns],
        "unclustered_share": [sc.unclustered_["share"] for _, sc in fruns],
        "not_in_stable_cluster_share": [sc.unclustered_["share_not_stable"] for _, sc in fruns],
        "ari_across_seeds_stable_labels_all_points": _ari_pairs(fstab),
        "ari_across_seeds_stable_clusters_core": _ari_pairs(fstab, both_stable),
    }

    bt: dict[str, Any] = {"status": "not run"}
    if bertopic:
        venv = Path(bertopic_venv or os.environ.get("FRAMING_BERTOPIC_VENV")
                    or Path(__file__).resolve().parent.parent / ".venv-bench-bertopic")
        try:
            bt["install"] = _ensure_bertopic_venv(venv, install_timeout)
            with tempfile.TemporaryDirectory(prefix="framing-bertopic-") as work:
                np.save(Path(work) / "embeddings.npy", X)
                (Path(work) / "docs.json").write_text(json.dumps(texts), encoding="utf-8")
                (Path(work) / "runner.py").write_text(_BERTOPIC_RUNNER, encoding="utf-8")
                env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
                t = time.perf_counter()
                r = subprocess.run([str(venv / "bin" / "python"), str(Path(work) / "runner.py"), work,
                                    json.dumps([int(s) for s in seeds])], capture_output=True, text=True,
                                   timeout=bertopic_timeout, env=env)
                if r.returncode != 0:
                    raise RuntimeError("BERTopic run failed: " + " | ".join((r.stderr or "").strip().splitlines()[-5:]))
                out = json.loads((Path(work) / "result.json").read_text())
            fits = out["fits"]
            topics = [np.asarray(f["topics"]) for f in fits]
            bt.update({
                "status": "ok",
                "versions": out.get("versions", {}),
                "process_seconds": time.perf_counter() - t,
                "import_seconds": out["import_seconds"],
                "seconds_first_fit": fits[0]["seconds"],
                "seconds_warm_fits": [f["seconds"] for f in fits[1:]],
                "n_topics": [int(len(np.unique(tp[tp >= 0]))) for tp in topics],
                "outlier_share": [float((tp == -1).mean()) for tp in topics],
                "ari_across_seeds_all_points": _ari_pairs(topics),
                "ari_across_seeds_non_outliers": _ari_pairs(topics, both_stable),
            })
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
            bt = {"status": "skipped", "reason": f"{type(exc).__name__}: {exc}"}
    result["bertopic"] = bt
    ours_s = result["ours"]["seconds_max"]
    core = [v for v in ari_core if np.isfinite(v)]
    fcore = [v for v in result["ours_fixed_k"]["ari_across_seeds_stable_clusters_core"] if np.isfinite(v)]
    result["targets"] = {
        "ari_stable_clusters_across_seeds>=0.9": bool(core) and min(core) >= 0.9,
        "ari_stable_clusters_across_seeds_fixed_k>=0.9": bool(fcore) and min(fcore) >= 0.9,
        "stability_analysis_faster_than_one_bertopic_fit":
            (ours_s < bt["seconds_first_fit"]) if bt.get("status") == "ok" else None,
    }
    return result
