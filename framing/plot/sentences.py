"""Plots of sentence tables: counts and lengths per outlet, nearest sentences across outlets.

Inputs come from :func:`framing.segment.sentence_counts`,
:func:`framing.segment.sentence_lengths` and :func:`framing.embed.nearest_by_outlet`; ``group=``
names the column of that table holding the groups.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from framing._compat import renamed_kwargs

__all__ = ["plot_sentence_counts", "plot_sentence_lengths", "plot_nearest_similarity"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


@renamed_kwargs(by="group")
def plot_sentence_counts(counts: pd.DataFrame, *, ax: Axes | None = None, group: str = "outlet",
                         highlight: Sequence[str] = ()) -> Axes:
    """Horizontal bars: sentences per group, labelled with documents and sentences per document.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`framing.segment.sentence_counts`.
    group : str
        The column of ``counts`` holding the groups (``"group"`` when the counts were
        made with a mapping).
    highlight : sequence of str
        Groups drawn in a contrasting colour (e.g. ``("RT",)``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"outlet": ["X", "Y"], "documents": [2, 1], "sentences": [20, 7],
    ...                   "per_doc_median": [10.0, 7.0], "per_doc_mean": [10.0, 7.0]})
    >>> ax = plot_sentence_counts(c, highlight=["X"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['X', 'Y']
    """
    ax = _axes(ax, (7, 0.45 * len(counts) + 1.2))
    data = counts.reset_index(drop=True)
    y = np.arange(len(data))
    colors = ["tab:red" if str(g) in set(highlight) else "tab:blue" for g in data[group]]
    ax.barh(y, data["sentences"], color=colors, alpha=0.8)
    xmax = float(data["sentences"].max()) if len(data) else 1.0
    for yi, (_, r) in zip(y, data.iterrows()):
        ax.text(r["sentences"] + 0.01 * xmax, yi,
                f"{int(r['sentences']):,} sentences · {int(r['documents'])} docs · "
                f"median {r['per_doc_median']:.0f}/doc", va="center", fontsize=8)
    ax.set_yticks(y, [str(g) for g in data[group]])
    ax.invert_yaxis()
    ax.set_xlim(0, xmax * 1.6)
    ax.set_xlabel("sentences")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


@renamed_kwargs(by="group")
def plot_sentence_lengths(lengths: pd.DataFrame, *, ax: Axes | None = None, group: str = "outlet",
                          column: str = "words", order: Sequence[str] | None = None,
                          clip: float | None = 0.995) -> Axes:
    """Violin plot (with median and quartiles) of sentence length per group.

    Parameters
    ----------
    lengths : DataFrame
        Output of :func:`framing.segment.sentence_lengths`.
    group : str
        The column of ``lengths`` holding the groups (one violin each).
    column : {"words", "chars"}
        Which length.
    order : sequence of str, optional
        Group order (default: by median length).
    clip : float, optional
        Cut the y axis at this quantile of all lengths so a few run-on "sentences" (lists,
        tables) do not flatten the violins; ``None`` shows everything.

    Examples
    --------
    >>> import pandas as pd
    >>> l = pd.DataFrame({"outlet": ["X"] * 3 + ["Y"] * 3, "words": [5, 10, 15, 20, 25, 30]})
    >>> ax = plot_sentence_lengths(l)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['X', 'Y']
    """
    ax = _axes(ax, (8, 4))
    if order is None:
        order = lengths.groupby(group, observed=True)[column].median().sort_values(kind="stable").index.tolist()
    data = [lengths.loc[lengths[group] == g, column].to_numpy(dtype=float) for g in order]
    keep = [i for i, d in enumerate(data) if len(d)]
    parts = ax.violinplot([data[i] for i in keep], positions=keep, showextrema=False, widths=0.8)
    for body in parts["bodies"]:
        body.set_alpha(0.5)
    for i in keep:
        q1, med, q3 = np.percentile(data[i], [25, 50, 75])
        ax.vlines(i, q1, q3, color="black", lw=3)
        ax.scatter([i], [med], color="white", edgecolor="black", zorder=3, s=18)
        ax.text(i, med, f" {med:.0f}", fontsize=7, va="center")
    ax.set_xticks(range(len(order)), [str(g) for g in order])
    if clip is not None and len(lengths):
        ax.set_ylim(0, float(np.quantile(lengths[column], clip)) * 1.05)
    ax.set_ylabel(f"sentence length ({column})")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


@renamed_kwargs(groups="order")
def plot_nearest_similarity(nearest: pd.DataFrame, *, ax: Axes | None = None, width: int = 60,
                            order: Sequence[str] | None = None) -> Axes:
    """Heatmap: best cosine similarity of each anchor sentence to each other group.

    Parameters
    ----------
    nearest : DataFrame
        Output of :func:`framing.embed.nearest_by_outlet` (rank 0 is used).
    width : int
        Anchor labels are the anchor text shortened to this many characters.
    order : sequence of str, optional
        The groups shown, one column each, in this order (groups of the table left out are
        not shown; a group absent from the table is an empty column). Default: every group of
        the table's ``group`` column, sorted. (Named like ``order`` of
        :func:`plot_sentence_lengths`; the old name ``groups=`` is deprecated.)

    Examples
    --------
    >>> import pandas as pd
    >>> n = pd.DataFrame({"anchor": [0, 0], "anchor_group": ["X", "X"], "anchor_text": ["a b", "a b"],
    ...                   "group": ["Y", "Z"], "rank": [0, 0], "row": [1, 2], "text": ["a", "b"],
    ...                   "similarity": [0.7, 0.2]})
    >>> ax = plot_nearest_similarity(n)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Y', 'Z']
    """
    best = nearest[nearest["rank"] == 0]
    wide = best.pivot_table(index="anchor", columns="group", values="similarity", aggfunc="max")
    wide = wide.reindex(pd.unique(best["anchor"]))  # anchors in the order given
    if order is not None:
        wide = wide.reindex(columns=list(order))
    labels = (best.drop_duplicates("anchor").set_index("anchor")
              .reindex(wide.index)[["anchor_group", "anchor_text"]])
    ax = _axes(ax, (1.1 * wide.shape[1] + 5, 0.55 * wide.shape[0] + 1.5))
    im = ax.imshow(wide.to_numpy(dtype=float), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for i in range(wide.shape[0]):
        for j in range(wide.shape[1]):
            v = wide.iat[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                        color="black" if v > 0.6 else "white")
    ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns])
    ax.set_yticks(range(wide.shape[0]),
                  [f"[{g}] " + textwrap.shorten(str(t), width=width, placeholder="…")
                   for g, t in zip(labels["anchor_group"], labels["anchor_text"])], fontsize=8)
    ax.figure.colorbar(im, ax=ax, label="cosine similarity of nearest sentence", fraction=0.04, pad=0.02)
    ax.set_xlabel("outlet of the nearest sentence")
    return ax
