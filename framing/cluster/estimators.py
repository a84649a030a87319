"""The clustering estimator: k-means, agglomerative or HDBSCAN on L2-normalised embeddings.

See :class:`Clusterer`; the scores behind its choice of k live in :mod:`framing.cluster._scores`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from framing.stats import as_rng

from ._numeric import ClusterError, int_seed, limit_threads, pca_solver, unit_embeddings, unit_projected
from ._scores import _centroids, _fit_size, _jackknife_pair_mean, _one_se_choice, _pair_scores, _relabel_by_size

__all__ = ["Clusterer"]

_METHODS = ("kmeans", "agglomerative", "hdbscan")
_CONTINUE_SE = 3.0  # stability scan: add fits while |score - min_stability| < this many SE
_CRITERIA = ("silhouette", "stability")


class Clusterer(ClusterMixin, BaseEstimator):
    """Cluster L2-normalised embeddings with k-means, agglomerative or HDBSCAN clustering.

    Rows are L2-normalised first, so Euclidean geometry on them is cosine geometry
    (``||a - b||^2 = 2 - 2 cos(a, b)``): k-means on unit vectors is spherical-style k-means,
    Ward linkage merges by squared chordal distance. With ``n_components`` set and smaller
    than the embedding dimension, the vectors are projected by exact PCA
    (deterministic) to that many components and re-normalised, which removes noise
    dimensions and makes density estimates (HDBSCAN) more reliable.

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

      The first pass stops once ``patience`` consecutive k have failed after one was
      accepted (None scans all of ``k_range``). Because each clustering sees only half of
      the points, the criterion is stricter than the 80 % subsamples of
      :class:`StableClusters` and tends to choose fewer, more reproducible clusters
      (``selection_fraction=0.8`` relaxes it). Cost: ``n_fits`` to ``max_fits`` fits on
      half the points per k scanned (agglomerative: one tree per half-sample, cut at
      every k).
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
        default. 1 by default: the many small fits gain little from threads.
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
        Z = unit_embeddings(X)
        self.n_features_in_ = Z.shape[1]
        self.pca_ = None
        if self.n_components is not None and self.n_components < min(Z.shape):
            from sklearn.decomposition import PCA
            self.pca_ = PCA(n_components=self.n_components, svd_solver=pca_solver(Z)).fit(Z)
            Z = unit_projected(self.pca_.transform(Z))
        return Z

    def transform_space(self, X: Any) -> np.ndarray:
        """Map embeddings into the (normalised, possibly PCA-reduced) clustering space."""
        Z = unit_embeddings(X)
        if Z.shape[1] != getattr(self, "n_features_in_", Z.shape[1]):
            raise ClusterError(f"embeddings have {Z.shape[1]} columns, the clusterer was fitted on {self.n_features_in_}")
        if getattr(self, "pca_", None) is not None:
            Z = unit_projected(self.pca_.transform(Z))
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
        """Choose k by ``criterion``; returns k, the final labels on all points, the table."""
        full = Z
        if self.selection_size is not None and Z.shape[0] > self.selection_size:
            Z = full[np.sort(rng.choice(full.shape[0], size=self.selection_size, replace=False))]
        lo, hi = self.k_range
        ks = list(range(lo, min(hi, Z.shape[0] - 1) + 1))
        if self.criterion == "silhouette":
            return self._select_k_silhouette(full, Z, ks, rng)
        return self._select_k_stability(full, Z, ks, rng)

    def _select_k_silhouette(self, full: np.ndarray, Z: np.ndarray, ks: list[int],
                             rng: np.random.Generator) -> tuple[int, np.ndarray, pd.DataFrame]:
        """Mean cosine silhouette of each k on one fixed subsample; the best k wins."""
        from sklearn.metrics import silhouette_score

        tree = self._tree(Z) if self.method == "agglomerative" else None
        m = min(self.subsample, Z.shape[0])
        idx = np.sort(rng.choice(Z.shape[0], size=m, replace=False))
        seed = int_seed(rng)
        rows, best_labels = [], {}
        for k in ks:
            lab = self._cluster_k(Z, k, seed, tree)
            best_labels[k] = lab
            sub = lab[idx]
            score = silhouette_score(Z[idx], sub, metric="cosine") if 1 < len(np.unique(sub)) < len(sub) else np.nan
            rows.append({"k": k, "score": float(score)})
        table = pd.DataFrame(rows)
        k_best = int(table.loc[table["score"].idxmax(), "k"]) if table["score"].notna().any() else ks[0]
        if Z is full and (self.method != "kmeans" or self.final_n_init in (None, self.n_init)):
            labels = best_labels[k_best]
        else:
            labels = self._cluster_k(full, k_best, seed, self._tree(full) if tree is not None else None, final=True)
        return k_best, labels, table.assign(criterion="silhouette (cosine)")

    def _select_k_stability(self, full: np.ndarray, Z: np.ndarray, ks: list[int],
                            rng: np.random.Generator) -> tuple[int, np.ndarray, pd.DataFrame]:
        """The one-SE stability rule: scan k, refine unclear k, take the largest accepted k."""
        scan = _StabilityScan(self, Z, rng)
        scan.first_pass([k for k in ks if k < scan.m])  # non-empty: _check_params requires k_range[0] < m
        scan.refine(max(self.n_fits, self.max_fits or self.n_fits))
        table = scan.table()
        k_best, accepted = _one_se_choice(table["k"].to_numpy(), table["score"].to_numpy(),
                                          table["se"].to_numpy(), self.min_stability)
        table.insert(4, "accepted", accepted)
        table.insert(5, "chosen", table["k"] == k_best)
        labels = self._cluster_k(full, k_best, int_seed(rng), final=True)
        return k_best, labels, table.assign(
            criterion="stability (least stable cluster's Jaccard, mean over pairs of subsample fits; 1-SE rule)")

    def fit(self, X: Any, y: Any = None) -> "Clusterer":
        """Cluster the rows of ``X`` (embeddings, shape ``(n, d)``). Returns self."""
        with limit_threads(self.threads):
            return self._fit(X)

    def _fit(self, X: Any) -> "Clusterer":
        Z = self._fit_transform_space(X)
        self._check_params(Z.shape[0])
        rng = as_rng(self.random_state)
        self.selection_ = None
        if self.method == "hdbscan":
            labels = self._cluster_k(Z, None, 0)
        elif self.n_clusters is None:
            _, labels, self.selection_ = self._select_k(Z, rng)
        else:
            labels = self._cluster_k(Z, int(self.n_clusters), int_seed(rng), final=True)
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



class _StabilityScan:
    """The stability scan of :class:`Clusterer`: subsample clusterings per k and their scores.

    The same subsamples (drawn as needed) serve every k; each clustering labels all points
    by nearest centroid; ``stats[k]`` holds the mean pair score and its jackknife SE.
    """

    def __init__(self, est: Clusterer, Z: np.ndarray, rng: np.random.Generator) -> None:
        self.est, self.Z, self.rng = est, Z, rng
        self.n = Z.shape[0]
        self.m = _fit_size(self.n, est.selection_fraction)
        self.subs: list[np.ndarray] = []
        self.trees: list[Any] = []
        self.labs: dict[int, list[np.ndarray]] = {}
        self.pairs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.stats: dict[int, tuple[float, float]] = {}

    def add_fits(self, k: int) -> None:
        """``n_fits`` more clusterings at k, then the pair scores and their mean and SE."""
        est, Z, rng = self.est, self.Z, self.rng
        have = self.labs.setdefault(k, [])
        for f in range(len(have), len(have) + est.n_fits):
            if f == len(self.subs):
                self.subs.append(np.sort(rng.choice(self.n, size=self.m, replace=False)))
                self.trees.append(None)
            sub = self.subs[f]
            if est.method == "agglomerative" and self.trees[f] is None:
                self.trees[f] = est._tree(Z[sub])
            lab = est._cluster_k(Z[sub], k, int_seed(rng), self.trees[f])
            kk = int(lab.max()) + 1
            sims = Z @ _centroids(Z[sub], lab, kk).T
            sims[:, np.bincount(lab, minlength=kk) == 0] = -np.inf  # an empty cluster takes no point
            have.append(np.argmax(sims, axis=1).astype(np.int32))
        self.pairs[k] = _pair_scores(have, *self.pairs.get(k, (None, None)))
        self.stats[k] = _jackknife_pair_mean(self.pairs[k][0])

    def accepted(self, k: int) -> bool:
        score, se = self.stats[k]
        return score - se >= self.est.min_stability

    def first_pass(self, ks: list[int]) -> None:
        """``n_fits`` clusterings for each k, until ``patience`` k in a row fail."""
        failed, passed = 0, False
        for k in ks:
            self.add_fits(k)
            ok = self.accepted(k)
            passed = passed or ok
            failed = failed + 1 if (passed and not ok) else 0
            if self.est.patience is not None and failed >= self.est.patience:
                break

    def refine(self, cap: int) -> None:
        """Sequential Monte Carlo: from the largest k scanned down to the first accepted one
        (the only k that can change the choice), add fits while ``min_stability`` lies within
        ``_CONTINUE_SE`` standard errors of the score, up to ``cap`` fits."""
        for k in sorted(self.stats, reverse=True):
            while (abs(self.stats[k][0] - self.est.min_stability) < _CONTINUE_SE * self.stats[k][1]
                   and len(self.labs[k]) + self.est.n_fits <= cap):
                self.add_fits(k)
            if self.accepted(k):
                break

    def table(self) -> pd.DataFrame:
        rows = []
        for k in sorted(self.stats):
            S, A = self.pairs[k]
            iu = np.triu_indices(S.shape[0], 1)
            score, se = self.stats[k]
            rows.append({"k": k, "score": score, "se": se, "lower": score - se, "n_fits": S.shape[0],
                         "median": float(np.median(S[iu])), "q25": float(np.quantile(S[iu], 0.25)),
                         "ari": float(A[iu].mean())})
        return pd.DataFrame(rows)
