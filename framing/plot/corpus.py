"""Plots of corpus descriptions (tables from :mod:`framing.describe`)."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from framing._compat import renamed_kwargs


def _axes(ax: Axes | None, size: tuple[float, float] = (9, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


@renamed_kwargs(by="group")
def plot_coverage(cov: pd.DataFrame, *, ax: Axes | None = None, group: str = "outlet",
                  key_dates: Mapping[str, tuple[pd.Timestamp, pd.Timestamp]] | None = None,
                  annotate: bool = True) -> Axes:
    """Heatmap of documents per group (rows) and period (columns), key dates marked.

    Parameters
    ----------
    cov : DataFrame
        Output of :func:`framing.describe.coverage`.
    group : str
        The column of ``cov`` holding the groups (one row of the heatmap each), as named by
        :func:`framing.describe.coverage`.
    key_dates : mapping, optional
        ``label -> (first day, last day)``; drawn as shaded spans with labels on top.
    annotate : bool
        Write the count in each cell (only when there are at most 60 periods).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.describe import coverage
    >>> c = pd.DataFrame({"outlet": ["A", "B"], "published": pd.to_datetime(["2022-09-23", "2022-09-24"])})
    >>> ax = plot_coverage(coverage(c))
    """
    ax = _axes(ax)
    wide = cov.pivot(index=group, columns="period", values="documents").fillna(0)
    periods = pd.DatetimeIndex(wide.columns)
    x = mdates.date2num(periods.to_pydatetime())
    step = float(np.median(np.diff(x))) if len(x) > 1 else 1.0
    extent = (x[0] - step / 2, x[-1] + step / 2, len(wide) - 0.5, -0.5) if len(x) else None
    im = ax.imshow(wide.to_numpy(), aspect="auto", cmap="Blues", interpolation="nearest", extent=extent)
    ax.set_yticks(range(len(wide)), [str(i) for i in wide.index])
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    if annotate and len(x) <= 60:
        vmax = max(float(wide.to_numpy().max()), 1.0)
        for i, row in enumerate(wide.to_numpy()):
            for xi, v in zip(x, row):
                if v:
                    ax.text(xi, i, f"{int(v)}", ha="center", va="center", fontsize=6,
                            color="white" if v > vmax / 2 else "black")
    if key_dates:
        span = (x[-1] - x[0] + step) if len(x) else 1.0
        last_x, level = None, 0
        for label, (lo, hi) in key_dates.items():
            lo_x = mdates.date2num(pd.Timestamp(lo).to_pydatetime()) - step / 2
            hi_x = mdates.date2num(pd.Timestamp(hi).to_pydatetime()) + step / 2
            ax.axvspan(lo_x, hi_x, color="tab:red", alpha=0.12, lw=0)
            ax.axvline(lo_x, color="tab:red", lw=0.8)
            # stagger labels of nearby dates so they never overprint each other
            level = level + 1 if last_x is not None and lo_x - last_x < 0.25 * span else 0
            last_x = lo_x
            ax.text(lo_x, -0.7 - 0.45 * level, label, color="tab:red", fontsize=7, va="bottom", ha="left",
                    clip_on=False)
    ax.figure.colorbar(im, ax=ax, label="documents", fraction=0.03, pad=0.01)
    ax.set_xlabel("")
    ax.set_ylabel(group)
    return ax


@renamed_kwargs(by="group")
def plot_lengths(lengths: pd.DataFrame, *, ax: Axes | None = None, group: str = "outlet",
                 column: str = "words", log: bool = True) -> Axes:
    """Box plot of document length per group (log scale by default).

    Parameters
    ----------
    lengths : DataFrame
        One row per document, e.g. :func:`framing.describe.doc_lengths`.
    group : str
        The column of ``lengths`` holding the groups (one box each).
    column : str
        The length column.
    log : bool
        Log-scaled length axis.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_lengths(pd.DataFrame({"outlet": ["A", "A", "B"], "words": [100, 300, 50]}))
    """
    ax = _axes(ax, (7, 4))
    groups = sorted(lengths[group].unique())
    data = [lengths.loc[lengths[group] == g, column].to_numpy() for g in groups]
    ax.boxplot(data, orientation="horizontal", tick_labels=[f"{g} (n={len(d)})" for g, d in zip(groups, data)],
               showfliers=True, flierprops={"markersize": 2, "alpha": 0.4})
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(f"{column} per document")
    return ax


@renamed_kwargs(by="group")
def plot_group_sizes(sizes: pd.DataFrame, column: str, *, ax: Axes | None = None,
                     group: str | None = None) -> Axes:
    """Bar chart of documents per value of ``column`` (grouped bars per ``group`` if given).

    Parameters
    ----------
    sizes : DataFrame
        Output of :func:`framing.describe.group_sizes`: ``column``, ``documents`` and, when
        it was grouped, the group column.
    column : str
        The counted column (one bar, or one cluster of bars, per value).
    group : str, optional
        The column of ``sizes`` holding the groups: one bar of each group per value of
        ``column``, with a legend. None: one bar per value.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_group_sizes(pd.DataFrame({"vote": ["yes", "no"], "documents": [3, 1]}), "vote")
    """
    ax = _axes(ax, (7, 3.5))
    if group is None:
        ax.bar(sizes[column].astype(str), sizes["documents"], color="tab:blue")
        for i, v in enumerate(sizes["documents"]):
            ax.text(i, v, str(int(v)), ha="center", va="bottom", fontsize=8)
    else:
        wide = sizes.pivot(index=column, columns=group, values="documents").fillna(0)
        order = list(dict.fromkeys(sizes[column]))
        wide = wide.reindex(order)
        n = len(wide.columns)
        width = 0.8 / max(n, 1)
        for j, col in enumerate(wide.columns):
            xs = np.arange(len(wide)) + (j - (n - 1) / 2) * width
            ax.bar(xs, wide[col].to_numpy(), width=width, label=str(col))
        ax.set_xticks(range(len(wide)), [str(i) for i in wide.index])
        ax.legend(title=group, fontsize=8)
    ax.set_ylabel("documents")
    ax.set_xlabel(column)
    return ax


__all__ = ["plot_coverage", "plot_lengths", "plot_group_sizes"]
