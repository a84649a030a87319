"""Drawing for themes (:func:`framing.fit_themes`): a labelled map and a share table.

Every function draws on ``ax`` (a new figure's axes when None) and returns the Axes.
Nothing is saved or shown.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from framing.geometry import project_2d
from framing.themes import UNCLUSTERED_THEME, ThemeTree

__all__ = ["plot_theme_map", "plot_theme_shares"]


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _map_coords(result: ThemeTree, coords: pd.DataFrame | None, method: str, sample: int | None,
                random_state: int | np.random.Generator | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Rows drawn and their 2-d coordinates (computed with project_2d unless given)."""
    n = len(result.embeddings_)
    if coords is not None and (not isinstance(coords, pd.DataFrame) or not {"x", "y"} <= set(coords.columns)
                               or len(coords) != n):
        raise ValueError(f"coords must be a DataFrame with x and y, one row per sentence ({n})")
    rows = np.arange(n)
    if sample is not None and sample < n:
        rows = np.sort(np.random.default_rng(0 if random_state is None else random_state)
                       .choice(n, size=sample, replace=False))
    if coords is not None:
        return rows, coords.iloc[rows].reset_index(drop=True)
    xy = project_2d(result.embeddings_[rows], method=method, random_state=random_state)
    return rows, xy


def _spread(ax: Any, points: list[tuple[float, float]], width: float = 0.2, height: float = 0.035
            ) -> list[tuple[float, float]]:
    """Label positions moved up or down (nearest first), in steps of one label height, until no
    two labels overlap (boxes of ``width`` x ``height`` in axes fractions) and each stays inside
    the axes; the first label at a place stays."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    placed: list[tuple[float, float]] = []
    out = []
    for px, py in points:
        fx, fy = (px - x0) / sx, (py - y0) / sy
        for step in range(200):
            cy = fy + height * ((step + 1) // 2) * (-1 if step % 2 else 1)
            inside = height / 2 <= cy <= 1 - height / 2
            if (inside or step == 199) and not any(abs(fx - qx) < width and abs(cy - qy) < height
                                                   for qx, qy in placed):
                break
        placed.append((fx, cy))
        out.append((x0 + fx * sx, y0 + cy * sy))
    return out


def plot_theme_map(result: ThemeTree, *, ax: Any = None, method: str = "pca", coords: pd.DataFrame | None = None,
                   sample: int | None = 4000, random_state: int | np.random.Generator | None = 0,
                   size: float = 4.0, opacity: float = 0.35, fontsize: float = 7.5, title: str | None = None) -> Any:
    """The 2-d map of the sentences with each theme's label at its centre.

    Points are coloured by coarse theme (light grey: unclustered); each leaf theme's label (its
    top terms) is written at the median of its points (moved up or down where two labels
    would overlap). Stable themes are labelled in bold in a
    solid box; unstable themes in grey italics in a dashed box, with ``(unstable)`` appended.

    Parameters
    ----------
    result : ThemeTree
        From :func:`framing.fit_themes`.
    ax : matplotlib Axes, optional
    method : {"pca", "tsne", "umap"}
        Projection (:func:`framing.project_2d`) when ``coords`` is not given. PCA shows
        how the spread is shared out, t-SNE neighbourhoods (not distances between themes).
    coords : DataFrame, optional
        Precomputed ``x``, ``y``, one row per sentence.
    sample : int or None
        Draw a random sample of this many sentences (None: all).
    random_state : int, numpy Generator or None
        Seeds the sample and t-SNE/UMAP.
    size, opacity, fontsize : float
        Marker size, marker opacity, label size.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from framing.cluster import Clusterer
    >>> from framing.themes import fit_themes
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([c + rng.standard_normal((40, 8)) * 0.2 for c in rng.standard_normal((2, 8)) * 4])
    >>> t = pd.DataFrame({"outlet": "A", "text": ["vote ballot"] * 40 + ["missile strike"] * 40})
    >>> tree = fit_themes(t, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=5, min_count=2, random_state=0)
    >>> ax = plot_theme_map(tree)
    >>> sorted(label.get_text() for label in ax.texts)
    ['ballot, vote', 'missile, strike']
    """
    if not isinstance(result, ThemeTree):
        raise TypeError(f"plot_theme_map needs a ThemeTree (framing.fit_themes), got {type(result).__name__}")
    ax = _axes(ax, (9, 7))
    rows, xy = _map_coords(result, coords, method, sample, random_state)
    x, y = xy["x"].to_numpy(float), xy["y"].to_numpy(float)
    coarse = result.coarse_labels_[rows]
    leaf = result.theme_ids_[rows]
    import matplotlib.pyplot as plt
    k = int(result.coarse_.n_clusters_)
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    unc = coarse < 0
    ax.scatter(x[unc], y[unc], s=size, c="#cccccc", alpha=opacity, linewidths=0, label=UNCLUSTERED_THEME)
    info = result.themes_.set_index("theme")
    for c in range(k):
        sel = coarse == c
        ax.scatter(x[sel], y[sel], s=size, color=cmap(c % cmap.N), alpha=opacity, linewidths=0,
                   label=f"{c + 1}: {info.loc[f'{c + 1}', 'label']}")
    spots = []
    for theme, r in info[info["leaf"]].iterrows():
        sel = leaf == theme
        if sel.any():
            spots.append((float(np.median(x[sel])), float(np.median(y[sel])), r))
    for (px, py), (_, _, r) in zip(_spread(ax, [(a, b) for a, b, _ in spots]), spots):
        if r["stable"]:
            text, style = r["label"], {"fontweight": "bold", "color": "black", "style": "normal", "ls": "-"}
        else:
            text = f"{r['label']} (unstable)"
            style = {"fontweight": "normal", "color": "0.35", "style": "italic", "ls": "--"}
        ax.text(px, py, text, ha="center", va="center", fontsize=fontsize, fontweight=style["fontweight"],
                color=style["color"], style=style["style"],
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.4", "ls": style["ls"], "alpha": 0.85})
    ax.legend(markerscale=3, fontsize=7, frameon=False, loc="best", title="coarse theme", title_fontsize=7)
    m = xy.attrs.get("method", method if coords is None else None)
    ax.set_xlabel(f"{m} 1" if m else "x")
    ax.set_ylabel(f"{m} 2" if m else "y")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"{result.n_themes_} themes ({result.n_stable_} stable); "
                 f"{result.unclustered_['fine']:.0%} of sentences in none")
    return ax


def plot_theme_shares(shares: pd.DataFrame | ThemeTree, *, ax: Any = None, group: str | None = None,
                      annotate: bool = True, title: str | None = None) -> Any:
    """Share of each group's sentences per theme, as a heat map (themes down, groups across).

    Parameters
    ----------
    shares : DataFrame or ThemeTree
        :meth:`ThemeTree.shares` output (columns ``theme``, ``label``, ``share`` and the group
        column); a ThemeTree is turned into shares by outlet with 200 bootstrap resamples.
    ax : matplotlib Axes, optional
    group : str, optional
        The group column (default: the column recorded in ``shares.attrs["group"]``, else
        ``outlet``).
    annotate : bool
        Write the share (per cent) in each cell.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> s = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "theme": ["1", "2", "1", "2"],
    ...                   "label": ["vote", "strike", "vote", "strike"], "share": [0.7, 0.3, 0.2, 0.8]})
    >>> ax = plot_theme_shares(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['1 vote', '2 strike']
    """
    if isinstance(shares, ThemeTree):
        shares = shares.shares(n_boot=200, random_state=0)
    gcol = group or shares.attrs.get("group", "outlet")
    gcol = gcol if isinstance(gcol, str) and gcol in shares.columns else "group"
    need = {gcol, "theme", "label", "share"}
    if not need <= set(shares.columns):
        raise ValueError(f"plot_theme_shares needs columns {sorted(need)} (see ThemeTree.shares)")
    order = list(dict.fromkeys(shares["theme"]))
    order = [t for t in order if t != UNCLUSTERED_THEME] + [t for t in order if t == UNCLUSTERED_THEME]
    names = shares.drop_duplicates("theme").set_index("theme")["label"]
    M = shares.pivot_table(index="theme", columns=gcol, values="share", aggfunc="first").reindex(order)
    ax = _axes(ax, (1.2 + 0.9 * M.shape[1], 1.0 + 0.32 * M.shape[0]))
    im = ax.imshow(M.to_numpy(float), aspect="auto", cmap="Blues", vmin=0)
    ax.set_xticks(np.arange(M.shape[1]))
    ax.set_xticklabels([str(c) for c in M.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(np.arange(M.shape[0]))
    ax.set_yticklabels([t if t == UNCLUSTERED_THEME else f"{t} {names[t]}" for t in M.index], fontsize=8)
    if annotate:
        top = np.nanmax(M.to_numpy(float)) if M.size else 1.0
        for (i, j), v in np.ndenumerate(M.to_numpy(float)):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * top else "black")
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="share of the group's sentences")
    ax.set_title(title or "Theme shares by group")
    return ax
