"""Clusters that survive resampling: :class:`StableClusters` and :func:`cluster_stability`.

Hennig (2007) for per-cluster stability, Ben-Hur et al. (2002) and Lange et al. (2004) for
the overall agreement; see the package docstring of :mod:`framing.cluster` for the references.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import adjusted_rand_score

from framing._compat import renamed_kwargs
from framing._display import html_summary
from framing.stats import as_rng

from ._numeric import UNCLUSTERED, ClusterError, int_seed, limit_threads
from ._scores import _ABSENT, _jaccard_table, _pairwise_ari
from .estimators import Clusterer

__all__ = ["StableClusters", "cluster_stability"]


class StableClusters(BaseEstimator):
    """Clusters that survive resampling: agreement, per-cluster stability and a consensus.

    Procedure (Hennig 2007, with the overall agreement of Ben-Hur et al. 2002 and
    Lange et al. 2004):

    1. Fit the clusterer on all points: the *reference* clustering, with k clusters (k is
       chosen once here, by the clusterer's criterion, and then held fixed).
    2. Draw ``n_boot`` resamples -- ``"subsample"``: a random ``fraction`` of the points
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
       is O(n * (k + n_boot)).

    Unclustered points (-1 in ``labels_``) are counted in ``unclustered_`` and in the row
    ``cluster == -1`` of ``clusters_`` -- they are never dropped. ``stable_labels_`` also
    sets the points of unstable clusters to -1: use it when presenting findings.

    Parameters
    ----------
    clusterer : Clusterer or None
        The clustering method (default ``Clusterer()``: k-means, k by stability). It is
        cloned; its ``random_state`` is replaced by draws from ``random_state`` here.
    n_boot : int
        Number of resamples (at least 10 is advisable; 20 by default). With the default
        ``resample="subsample"`` these are subsamples of ``fraction`` of the points drawn
        without replacement, not bootstrap samples (``n_resamples=`` is the deprecated name).
    resample : {"subsample", "bootstrap", "seed"}
    fraction : float
        Subsample size as a fraction of n (``resample="subsample"``).
    threshold : float
        Mean Jaccard at or above which a cluster is stable.
    min_agreement : float
        A point joins its consensus cluster when more than this share of the resamples that
        contain it agree.
    pairwise : bool
        Also compute the ARI between all pairs of resamples (``n_boot^2 / 2`` ARIs).
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
    jaccard_ : ndarray, shape (n_boot, n_clusters_)
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
    resample_labels_ : ndarray of int, shape (n_boot, n)
        Raw labels per resample (-2 where a point was not drawn).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> centres = rng.standard_normal((3, 16)) * 3
    >>> X = np.vstack([c + rng.standard_normal((40, 16)) * 0.3 for c in centres])
    >>> sc = StableClusters(Clusterer(n_clusters=3), n_boot=10, random_state=0).fit(X)
    >>> sc.clusters_[["cluster", "size", "stable"]].to_string(index=False)
    ' cluster  size  stable\\n       0    40    True\\n       1    40    True\\n       2    40    True\\n      -1     0   False'
    >>> round(sc.ari_summary_["pairwise_mean"], 2)
    1.0
    >>> sc.summary()[["n_clusters", "n_stable", "unclustered_share"]].to_dict("records")
    [{'n_clusters': 3, 'n_stable': 3, 'unclustered_share': 0.0}]
    """

    @renamed_kwargs(n_resamples="n_boot")
    def __init__(self, clusterer: Clusterer | None = None, *, n_boot: int = 20,
                 resample: str = "subsample", fraction: float = 0.8, threshold: float = 0.75,
                 min_agreement: float = 0.5, pairwise: bool = True,
                 random_state: int | np.random.Generator | None = None) -> None:
        self.clusterer = clusterer
        self.n_boot = n_boot
        self.resample = resample
        self.fraction = fraction
        self.threshold = threshold
        self.min_agreement = min_agreement
        self.pairwise = pairwise
        self.random_state = random_state

    @property
    def n_resamples(self) -> int:
        """Deprecated name of :attr:`n_boot`."""
        warnings.warn("StableClusters.n_resamples is deprecated; use n_boot (see docs/glossary.md)",
                      DeprecationWarning, stacklevel=2)
        return self.n_boot

    def _check(self) -> None:
        if self.resample not in ("subsample", "bootstrap", "seed"):
            raise ClusterError(f"resample must be 'subsample', 'bootstrap' or 'seed', got {self.resample!r}")
        if not (isinstance(self.n_boot, (int, np.integer)) and self.n_boot >= 2):
            raise ClusterError(f"n_boot must be an int >= 2, got {self.n_boot!r}")
        if not 0 < self.fraction <= 1:
            raise ClusterError(f"fraction must be in (0, 1], got {self.fraction!r}")
        if not 0 <= self.min_agreement < 1:
            raise ClusterError(f"min_agreement must be in [0, 1), got {self.min_agreement!r}")

    def fit(self, X: Any, y: Any = None) -> "StableClusters":
        """Run the reference clustering and the resamples on embeddings ``X``. Returns self."""
        self._check()
        threads = getattr(self.clusterer, "threads", 1) if self.clusterer is not None else 1
        with limit_threads(threads):
            return self._fit(X)

    # -- the steps of fit
    def _fit(self, X: Any) -> "StableClusters":
        rng = as_rng(self.random_state)
        base = clone(self.clusterer) if self.clusterer is not None else Clusterer()
        if not isinstance(base, Clusterer):
            raise TypeError(f"clusterer must be a framing.cluster.Clusterer, got {type(base).__name__}")
        ref = clone(base).set_params(random_state=int_seed(rng)).fit(X)
        self.reference_ = ref
        self.reference_labels_ = ref.labels_
        self.n_clusters_ = ref.n_clusters_
        Z = ref.transform_space(X)
        R, jac, ari_ref, votes = self._resamples(base, ref, Z, rng)
        self.resample_labels_ = R
        self.jaccard_ = jac
        self.ari_ = pd.DataFrame({"resample": np.arange(len(ari_ref)), "ari_reference": ari_ref})
        self.pairwise_ari_ = _pairwise_ari(R) if self.pairwise else np.array([])
        self.ari_summary_ = _ari_summary(ari_ref, self.pairwise_ari_, self.resample)
        self.labels_, self.agreement_ = self._consensus(R, votes)
        self._cluster_table()
        return self

    def _resample_clusterer(self, base: Clusterer, ref: Clusterer, n: int) -> dict[str, Any]:
        """Parameters of the resample clusterer: same method, k fixed, already in the clustering space."""
        fixed: dict[str, Any] = {"n_components": None, "final_n_init": None}
        if ref.method != "hdbscan":
            fixed["n_clusters"] = max(ref.n_clusters_, 1)
        elif ref.min_cluster_size is None:
            fixed["min_cluster_size"] = max(10, n // 200)  # HDBSCAN's size rule relative to the full data set
        return fixed

    def _draw(self, n: int, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, Any]:
        """Points of one resample: (points scored, rows fitted, first occurrence for a bootstrap)."""
        if self.resample == "subsample":
            idx = np.sort(rng.choice(n, size=m, replace=False))
            return idx, idx, None
        if self.resample == "bootstrap":
            fit_idx = rng.integers(0, n, size=n)
            idx, first = np.unique(fit_idx, return_index=True)
            return idx, fit_idx, first
        idx = np.arange(n)
        return idx, idx, None

    def _resamples(self, base: Clusterer, ref: Clusterer, Z: np.ndarray, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Recluster ``n_boot`` resamples; raw labels, best Jaccard, ARI with the reference, votes."""
        n, k, ref_labels = Z.shape[0], ref.n_clusters_, ref.labels_
        fixed = self._resample_clusterer(base, ref, n)
        B = int(self.n_boot)
        R = np.full((B, n), _ABSENT, dtype=np.int64)
        jac = np.full((B, k), np.nan)
        ari_ref = np.full(B, np.nan)
        votes = np.zeros((n, k + 1), dtype=np.int32)  # last column: unclustered vote
        m = max(2, int(round(self.fraction * n)))
        for b in range(B):
            seed = int_seed(rng)
            idx, fit_idx, first = self._draw(n, m, rng)
            lab = clone(base).set_params(random_state=seed, **fixed).fit(Z[fit_idx]).labels_
            if first is not None:
                lab = lab[first]
            R[b, idx] = lab
            r = ref_labels[idx]
            ari_ref[b] = adjusted_rand_score(r, lab)
            if k == 0:
                continue
            J = _jaccard_table(r, lab, k)
            present = np.bincount(r[r >= 0], minlength=k)[:k] > 0
            jac[b] = np.where(present, J.max(axis=1), np.nan)
            np.add.at(votes, (idx, _aligned_votes(J, lab, k)), 1)
        return R, jac, ari_ref, votes

    def _consensus(self, R: np.ndarray, votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Majority vote per point over the resamples that hold it (-1 without a majority)."""
        n, k, ref_labels = R.shape[1], self.n_clusters_, self.reference_labels_
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
        return labels.astype(np.int64), agree

    def _cluster_table(self) -> None:
        """``clusters_``, ``stable_clusters_``, ``stable_labels_`` and ``unclustered_``."""
        k, jac, labels, ref_labels = self.n_clusters_, self.jaccard_, self.labels_, self.reference_labels_
        n = len(labels)
        rows = [_cluster_row(c, jac[:, c], labels, ref_labels, self.threshold) for c in range(k)]
        n_unc = int((labels == UNCLUSTERED).sum())
        rows.append({"cluster": UNCLUSTERED, "size": n_unc, "share": n_unc / n,
                     "reference_size": int((ref_labels == UNCLUSTERED).sum()),
                     "jaccard_mean": np.nan, "jaccard_median": np.nan, "jaccard_sd": np.nan,
                     "jaccard_min": np.nan, "dissolved": np.nan, "stable": False,
                     "verdict": "unclustered"})
        self.clusters_ = pd.DataFrame(rows)
        self.clusters_.attrs["threshold"] = self.threshold
        jm = np.nanmean(jac, axis=0) if k else np.array([])
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

    # -- results
    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return the consensus labels."""
        return self.fit(X).labels_

    def _fitted(self) -> None:
        if not hasattr(self, "clusters_"):
            raise ClusterError("this StableClusters is not fitted yet; call fit(X) first")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per reference cluster (and one for unclustered points),
        as :attr:`clusters_` (a copy)."""
        self._fitted()
        return self.clusters_.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``n_clusters``, ``n_stable``, ``stable_clusters``, ``unclustered_share``,
        ``share_not_stable``, ``ari_reference`` and ``ari_pairwise`` (means), ``n_boot``,
        ``resample``, ``threshold``. :meth:`reading` says the same in words."""
        self._fitted()
        s = self.ari_summary_
        return pd.DataFrame([{
            "n_clusters": self.n_clusters_, "n_stable": len(self.stable_clusters_),
            "stable_clusters": list(self.stable_clusters_), "unclustered_share": self.unclustered_["share"],
            "share_not_stable": self.unclustered_["share_not_stable"], "ari_reference": s["reference_mean"],
            "ari_pairwise": s["pairwise_mean"], "n_boot": s["n_boot"], "resample": s["resample"],
            "threshold": self.threshold}])

    def reading(self) -> str:
        """A short plain-text report: k, stable clusters, unclustered share, agreement."""
        self._fitted()
        t = self.clusters_[self.clusters_["cluster"] >= 0]
        s = self.ari_summary_
        lines = [
            f"{self.n_clusters_} clusters ({self.reference_.method}); {len(self.stable_clusters_)} stable "
            f"(mean Jaccard >= {self.threshold} over {s['n_boot']} {s['resample']} resamples): "
            f"{self.stable_clusters_}",
            f"unstable: {t.loc[~t['stable'], 'cluster'].tolist()}",
            f"unclustered: {self.unclustered_['share']:.1%} of points (no majority or noise); "
            f"{self.unclustered_['share_in_unstable']:.1%} more are in unstable clusters",
            f"ARI with reference: {s['reference_mean']:.3f} +/- {s['reference_sd']:.3f}; "
            f"between resamples: {s['pairwise_mean']:.3f} (5-95%: {s['pairwise_q05']:.3f}-{s['pairwise_q95']:.3f})",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: after :meth:`fit`, the clusters and their stability.

        Replaces scikit-learn's estimator diagram, which shows the parameters only.
        """
        params = {"n_boot": self.n_boot, "threshold": self.threshold}
        if not hasattr(self, "clusters_"):
            return html_summary("StableClusters (not fitted)", params)
        params.update(n_clusters=self.n_clusters_, stable=self.stable_clusters_,
                      unclustered_share=self.unclustered_["share"])
        return html_summary("StableClusters", params, self.clusters_)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}


def _aligned_votes(J: np.ndarray, lab: np.ndarray, k: int) -> np.ndarray:
    """Hungarian alignment of a resample's clusters to the k reference clusters
    (``scipy.optimize.linear_sum_assignment`` on the Jaccard matrix ``J``); the reference
    cluster each point votes for, ``k`` for "unclustered" (noise or an unmatched cluster)."""
    from scipy.optimize import linear_sum_assignment

    others = np.unique(lab[lab >= 0])
    aligned = np.full(len(lab), k)
    if len(others):
        rows, cols = linear_sum_assignment(-J)
        mapping = np.full(len(others), k)
        ok = J[rows, cols] > 0
        mapping[cols[ok]] = rows[ok]
        pos = lab >= 0
        aligned[pos] = mapping[np.searchsorted(others, lab[pos])]
    return aligned


def _ari_summary(ari_ref: np.ndarray, pw: np.ndarray, resample: str) -> dict[str, Any]:
    """Means, standard deviations and 5/95 % quantiles of both ARI kinds."""
    nan = float("nan")
    return {
        "reference_mean": float(np.nanmean(ari_ref)),
        "reference_sd": float(np.nanstd(ari_ref)),
        "reference_q05": float(np.nanquantile(ari_ref, 0.05)),
        "reference_q95": float(np.nanquantile(ari_ref, 0.95)),
        "pairwise_mean": float(pw.mean()) if len(pw) else nan,
        "pairwise_sd": float(pw.std()) if len(pw) else nan,
        "pairwise_q05": float(np.quantile(pw, 0.05)) if len(pw) else nan,
        "pairwise_q95": float(np.quantile(pw, 0.95)) if len(pw) else nan,
        "n_boot": len(ari_ref),
        "resample": resample,
    }


def _cluster_row(c: int, jac_c: np.ndarray, labels: np.ndarray, ref_labels: np.ndarray,
                 threshold: float) -> dict[str, Any]:
    """One row of ``StableClusters.clusters_``: size, Jaccard over resamples, verdict."""
    col = jac_c[~np.isnan(jac_c)]
    mean = float(col.mean()) if len(col) else float("nan")
    nan = float("nan")
    return {
        "cluster": c,
        "size": int((labels == c).sum()),
        "share": float((labels == c).mean()),
        "reference_size": int((ref_labels == c).sum()),
        "jaccard_mean": mean,
        "jaccard_median": float(np.median(col)) if len(col) else nan,
        "jaccard_sd": float(col.std()) if len(col) else nan,
        "jaccard_min": float(col.min()) if len(col) else nan,
        "dissolved": float((col <= 0.5).mean()) if len(col) else nan,
        "stable": bool(mean >= threshold),
        "verdict": _verdict(mean),
    }


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


@renamed_kwargs(n_resamples="n_boot")
def cluster_stability(embeddings: Any, *, method: str = "kmeans", n_clusters: int | None = None,
                      n_boot: int = 20, resample: str = "subsample", fraction: float = 0.8,
                      threshold: float = 0.75, random_state: int | np.random.Generator | None = None,
                      **clusterer_params: Any) -> StableClusters:
    """Cluster ``embeddings`` and assess each cluster's stability under resampling.

    A functional front end to :class:`StableClusters` (see there for the procedure and the
    references: Hennig 2007; Ben-Hur et al. 2002; Lange et al. 2004). ``n_boot`` resamples
    (by default subsamples of ``fraction`` of the points, without replacement). Further
    keyword arguments are parameters of :class:`Clusterer` (``k_range``, ``n_components``...);
    an unknown keyword raises ``TypeError`` there.

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
    >>> sc = cluster_stability(X, n_clusters=2, n_boot=10, random_state=0)
    >>> sc.stable_clusters_
    [0, 1]
    """
    clus = Clusterer(method=method, n_clusters=n_clusters, **clusterer_params)
    return StableClusters(clus, n_boot=n_boot, resample=resample, fraction=fraction,
                          threshold=threshold, random_state=random_state).fit(embeddings)


def _labels_array(labels: Any, n: int, name: str = "labels") -> np.ndarray:
    """Cluster labels as int64 (-1 = unclustered), from an array or a fitted estimator."""
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
