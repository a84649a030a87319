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

Modules: :mod:`~framing.cluster.estimators` (Clusterer), :mod:`~framing.cluster.stability`
(StableClusters, cluster_stability), :mod:`~framing.cluster.describe` (describe_clusters),
:mod:`~framing.cluster.shares` (outlet_shares, share_test); the benchmark (timing, seed
agreement, BERTopic for comparison) is :func:`framing.bench.cluster.run`.

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

from ._numeric import UNCLUSTERED, ClusterError
from ._scores import _jackknife_pair_mean, _one_se_choice, _pair_scores  # noqa: F401 (importable as before)
from .describe import ClusterDescription, describe_clusters
from .estimators import Clusterer
from .shares import ShareTest, outlet_shares, share_test
from .stability import StableClusters, cluster_stability

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
    "UNCLUSTERED",
]
