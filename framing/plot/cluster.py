"""Drawing for clusters and embedding geometry: maps, stability, outlet shares, dendrogram.

Every function takes a result from :mod:`framing.cluster` or :mod:`framing.geometry`, draws
on ``ax`` (a new figure's axes when None) and returns the Axes. Nothing is saved or shown.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from framing._compat import renamed_kwargs
from framing.geometry import map_colors

__all__ = ["plot_map", "plot_stability", "plot_shares", "plot_outlet_dendrogram"]


def _axes(ax: Any, figsize: tuple[float, float] = (7, 5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=figsize)
    return ax


@renamed_kwargs(alpha="opacity")
def plot_map(result: pd.DataFrame, *, ax: Any = None, color: str | Any = "outlet", labels: Any = None,
             size: float = 6.0, opacity: float = 0.6, legend: bool = True, unclustered_grey: bool = False,
             title: str | None = None) -> Any:
    """Scatter a 2-D map coloured by outlet, with cluster numbers at the cluster medians.

    Parameters
    ----------
    result : DataFrame
        Columns ``x``, ``y`` (from :func:`framing.geometry.project_2d`), plus the ``color``
        column if colouring by name.
    ax : matplotlib Axes, optional
    color : str, sequence or None
        Column of ``result`` or one value per row; one colour per distinct value. None:
        one colour.
    labels : sequence of int or str, optional
        Cluster labels per row (or a column name); each cluster's number is written at the
        median of its points. -1 (unclustered) gets no label.
    size, opacity : float
        Marker size and opacity (``alpha=`` is the deprecated name of ``opacity``: in
        ``framing`` ``alpha`` is an error level).
    legend : bool
    unclustered_grey : bool
        Draw points with label -1 in light grey (needs ``labels``).
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> m = pd.DataFrame({"x": [0, 1, 2, 3.0], "y": [0, 1, 0, 1.0], "outlet": ["RT", "RT", "NYT", "NYT"]})
    >>> ax = plot_map(m, labels=[0, 0, 1, 1])
    >>> [t.get_text() for t in ax.texts]
    ['0', '1']
    """
    if not isinstance(result, pd.DataFrame) or not {"x", "y"} <= set(result.columns):
        raise ValueError("plot_map needs a DataFrame with columns 'x' and 'y' (see framing.geometry.project_2d)")
    ax = _axes(ax)
    n = len(result)
    cvals = map_colors(result, color, what="map")
    lab = None
    if labels is not None:
        lab = result[labels].to_numpy() if isinstance(labels, str) else np.asarray(labels)
        if len(lab) != n:
            raise ValueError(f"labels has {len(lab)} entries but the map has {n} rows")
    x = result["x"].to_numpy(float)
    y = result["y"].to_numpy(float)
    if unclustered_grey and lab is not None:
        unc = np.array([str(v) == "-1" for v in lab])
        ax.scatter(x[unc], y[unc], s=size, c="#cccccc", alpha=opacity, linewidths=0, label="unclustered")
    else:
        unc = np.zeros(n, dtype=bool)
    import matplotlib.pyplot as plt
    cmap = plt.get_cmap("tab10" if len(set(cvals.tolist())) <= 10 else "tab20")
    for i, g in enumerate(sorted(set(cvals.tolist()))):
        sel = (cvals == g) & ~unc
        ax.scatter(x[sel], y[sel], s=size, color=cmap(i % cmap.N), alpha=opacity, linewidths=0,
                   label=g if g else None)
    if lab is not None:
        for c in sorted({v for v in lab.tolist() if str(v) != "-1"}, key=lambda v: (str(type(v)), v)):
            sel = lab == c
            ax.text(float(np.median(x[sel])), float(np.median(y[sel])), str(c), ha="center", va="center",
                    fontsize=9, fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.5", "alpha": 0.8})
    if legend and (color is not None):
        ax.legend(markerscale=2, fontsize=8, frameon=False, loc="best")
    method = result.attrs.get("method")
    ax.set_xlabel(f"{method} 1" if method else "x")
    ax.set_ylabel(f"{method} 2" if method else "y")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_stability(stable: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """Per-cluster Jaccard stability across resamples (box per cluster), threshold line.

    Parameters
    ----------
    stable : fitted :class:`framing.cluster.StableClusters`
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from framing.cluster import StableClusters, Clusterer
    >>> X = np.vstack([np.eye(4)[i] + np.random.default_rng(i).normal(0, .05, (20, 4)) for i in range(3)])
    >>> ax = plot_stability(StableClusters(Clusterer(n_clusters=3), n_boot=10, random_state=0).fit(X))
    >>> len(ax.get_xticklabels())
    3
    """
    if not hasattr(stable, "jaccard_"):
        raise ValueError("plot_stability needs a fitted StableClusters")
    ax = _axes(ax)
    J = stable.jaccard_
    tab = stable.clusters_[stable.clusters_["cluster"] >= 0]
    data = [J[:, c][~np.isnan(J[:, c])] for c in range(J.shape[1])]
    if data:
        bp = ax.boxplot(data, positions=np.arange(len(data)), widths=0.6, patch_artist=True)
        for patch, ok in zip(bp["boxes"], tab["stable"]):
            patch.set_facecolor("#9ecae1" if ok else "#fcbba1")
    ax.axhline(stable.threshold, color="k", ls="--", lw=1)
    ax.text(ax.get_xlim()[1], stable.threshold, f" {stable.threshold}", va="center", fontsize=8)
    ax.set_xticks(np.arange(len(data)))
    ax.set_xticklabels([f"{c}\n{s:.0%}" for c, s in zip(tab["cluster"], tab["share"])], fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("cluster (share of points); blue = stable, red = unstable")
    ax.set_ylabel("best-match Jaccard per resample")
    unc = stable.unclustered_["share"]
    ax.set_title(title or f"Cluster stability ({stable.ari_summary_['n_boot']} resamples; "
                 f"{unc:.0%} unclustered)")
    return ax


def plot_shares(shares: pd.DataFrame, *, ax: Any = None, group: str | None = None,
                clusters: Any = None, title: str | None = None) -> Any:
    """Outlet share per cluster with cluster-bootstrap intervals (dots and bars).

    Parameters
    ----------
    shares : DataFrame
        From :func:`framing.cluster.outlet_shares`.
    ax : matplotlib Axes, optional
    group : str, optional
        The group column (default: the one recorded in ``shares.attrs``).
    clusters : sequence, optional
        Clusters to show (default all, -1 last).
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from framing.cluster import outlet_shares
    >>> t = pd.DataFrame({"outlet": ["A"] * 4 + ["B"] * 4, "doc_id": list("aabbccdd")})
    >>> ax = plot_shares(outlet_shares(t, [0, 0, 1, 0, 1, 1, 0, 1], n_boot=50, random_state=0))
    >>> len(ax.get_legend().get_texts())
    2
    """
    group = group or shares.attrs.get("group", "outlet")
    need = {group, "cluster", "share", "ci_low", "ci_high"}
    if not need <= set(shares.columns):
        raise ValueError(f"plot_shares needs columns {sorted(need)} (see outlet_shares)")
    ax = _axes(ax, (8, 4.5))
    cl = list(clusters) if clusters is not None else sorted(shares["cluster"].unique(), key=lambda c: (c < 0, c))
    groups = list(dict.fromkeys(shares[group].tolist()))
    width = 0.8 / max(1, len(groups))
    import matplotlib.pyplot as plt
    cmap = plt.get_cmap("tab10" if len(groups) <= 10 else "tab20")
    for gi, g in enumerate(groups):
        sub = shares[shares[group] == g].set_index("cluster").reindex(cl)
        pos = np.arange(len(cl)) - 0.4 + width * (gi + 0.5)
        yerr = np.vstack([sub["share"] - sub["ci_low"], sub["ci_high"] - sub["share"]]).clip(min=0)
        ax.errorbar(pos, sub["share"], yerr=yerr, fmt="o", ms=4, color=cmap(gi % cmap.N), label=str(g),
                    capsize=2, lw=1)
    ax.set_xticks(np.arange(len(cl)))
    ax.set_xticklabels(["uncl." if c == -1 else str(c) for c in cl])
    ax.set_xlabel("cluster")
    ax.set_ylabel("share of the outlet's sentences")
    ax.legend(fontsize=8, frameon=False, ncol=min(4, len(groups)))
    level = 1 - shares.attrs.get("alpha", 0.05)
    ax.set_title(title or f"Cluster shares by {group} ({level:.0%} cluster-bootstrap intervals)")
    return ax


def plot_outlet_dendrogram(result: Any, *, ax: Any = None, method: str = "average",
                           title: str | None = None) -> Any:
    """Dendrogram of outlets from the cosine distance (1 - cosine) of their centroids.

    Parameters
    ----------
    result : :class:`framing.geometry.OutletSimilarity`
    ax : matplotlib Axes, optional
    method : str
        ``scipy.cluster.hierarchy.linkage`` method (average linkage by default).
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> from framing.geometry import outlet_similarity
    >>> X = np.random.default_rng(0).standard_normal((30, 5))
    >>> res = outlet_similarity(X, pd.DataFrame({"outlet": list("ABC") * 10}), n_perm=0)
    >>> ax = plot_outlet_dendrogram(res)
    >>> sorted(t.get_text() for t in ax.get_xticklabels())
    ['A', 'B', 'C']
    """
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    if not hasattr(result, "matrix"):
        raise ValueError("plot_outlet_dendrogram needs an OutletSimilarity (see framing.geometry.outlet_similarity)")
    ax = _axes(ax, (6, 4))
    dist = 1.0 - result.matrix.to_numpy(dtype=float)
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0.0)
    Z = linkage(squareform(dist.clip(min=0), checks=False), method=method)
    dendrogram(Z, labels=list(result.groups), ax=ax, color_threshold=0, above_threshold_color="0.3")
    ax.set_ylabel("cosine distance between centroids")
    t = result.test
    p = t.get("p_value")
    sub = (f"PERMANOVA R\u00b2={t['r2']:.3f}, p={p:.3g} ({t['n_perm']} permutations of {t['unit']})"
           if p is not None and np.isfinite(p) else "")
    pd_ = t.get("permdisp_p_value")
    if sub and pd_ is not None and np.isfinite(pd_):
        sub += (f"; PERMDISP p={pd_:.3g}" + (" (spreads differ: not a location difference alone)" if pd_ < 0.05
                                            else ""))
    ax.set_title(title or ("Outlet centroids" + (f"\n{sub}" if sub else "")), fontsize=10)
    return ax
