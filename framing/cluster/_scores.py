"""Scores shared by the k scan of :class:`Clusterer` and the resamples of :class:`StableClusters`.

Relabelling by size, best-match Jaccard tables (Hennig 2007), pairwise ARI, the pair scores
and their jackknife standard error (Efron & Stein 1981; Arvesen 1969), the one-SE choice of k
(Breiman et al. 1984) and normalised cluster centroids.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from ._numeric import UNCLUSTERED, unit_projected

_ABSENT = -2  # marks points left out of a resample in StableClusters.resample_labels_


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


def _centroids(Z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Normalised mean of each cluster 0..k-1 (an empty cluster's centroid stays zero)."""
    if k == 0:
        return np.zeros((0, Z.shape[1]), dtype=np.float32)
    mask = labels >= 0
    M = sparse.csr_matrix((np.ones(mask.sum()), (labels[mask], np.flatnonzero(mask))), shape=(k, Z.shape[0]))
    return unit_projected(np.asarray(M @ Z.astype(np.float64)))

