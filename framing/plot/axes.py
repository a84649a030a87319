"""Plots of framing-axis scores (results of :func:`framing.axes.score_axes`).

- :func:`plot_axis_positions`: the groups on one axis, bias with bootstrap interval, each
  group's null band (random document samples of its size) and the corpus baseline;
- :func:`plot_axis_plane`: two axes as a plane, groups as points with intervals both ways;
- :func:`plot_projection_distribution`: per-sentence projections per group as violins;
- :func:`plot_axis_trend`: groups labelled ``"series|x"`` (e.g. ``"yes|2021"``) as lines over x.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from framing._compat import renamed_kwargs
from framing.voice import text_label

__all__ = ["plot_axis_positions", "plot_axis_plane", "plot_projection_distribution", "plot_axis_trend"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _rows(scores: Any, axis: str, stat: str, groups: Sequence[Any] | None) -> pd.DataFrame:
    """The group rows of one axis and stat, optionally only the ``groups`` given, in that order."""
    if stat not in ("bias", "intensity"):
        raise ValueError(f"stat: expected 'bias' or 'intensity', got {stat!r}")
    scores.axis(axis)  # raises KeyError naming the axes
    t = scores.groups[(scores.groups["axis"] == axis) & (scores.groups["stat"] == stat)]
    if groups is not None:
        missing = [g for g in groups if g not in set(t["group"])]
        if missing:
            raise KeyError(f"no group(s) {missing} on axis {axis!r}; groups: {t['group'].tolist()}")
        t = t.set_index("group").loc[list(groups)].reset_index()
    return t.reset_index(drop=True)


def _pole_labels(ax: Axes, axis_obj: Any, *, which: str = "x") -> None:
    """Write the pole labels at the two ends of the x (or y) axis."""
    neg, pos = f"\u2190 {axis_obj.negative_label}", f"{axis_obj.positive_label} \u2192"
    if which == "x":
        ax.annotate(neg, xy=(0, 0), xycoords="axes fraction", xytext=(0, -28), textcoords="offset points",
                    ha="left", va="top", fontsize=8, color="0.3")
        ax.annotate(pos, xy=(1, 0), xycoords="axes fraction", xytext=(0, -28), textcoords="offset points",
                    ha="right", va="top", fontsize=8, color="0.3")
    else:
        ax.annotate(neg.replace("\u2190", "\u2193"), xy=(0, 0), xycoords="axes fraction", xytext=(-40, 0),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8, color="0.3", rotation=90)
        ax.annotate(pos.replace("\u2192", "\u2191"), xy=(0, 1), xycoords="axes fraction", xytext=(-40, 0),
                    textcoords="offset points", ha="right", va="top", fontsize=8, color="0.3", rotation=90)


@renamed_kwargs(groups="group")
def plot_axis_positions(scores: Any, axis: str, *, ax: Axes | None = None, stat: str = "bias",
                        group: Sequence[Any] | None = None, sort: bool = True,
                        null_band: bool = True, highlight: Sequence[Any] = ()) -> Axes:
    """Groups on one axis: value with bootstrap interval, null band and corpus baseline.

    Each group is a row: a dot at its bias (or intensity) with the bootstrap interval as a
    line; behind it a grey bar showing the central ``1 - alpha`` range of the null model
    (random samples of the same number of documents from the whole corpus): a dot outside its
    grey bar is a lean that random document samples of that size rarely show. The dashed line
    is the corpus baseline ``B_T``.

    Parameters
    ----------
    scores : AxisScores
    axis : str
    stat : {"bias", "intensity"}
    group : sequence, optional
        Group labels to show, in this order (default all; formerly ``groups=``).
    sort : bool
        Sort rows by value (ignored when ``group`` is given).
    null_band : bool
        Draw the null bands.
    highlight : sequence
        Groups drawn in a strong colour.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis, score_axes
    >>> enc = HashEncoder(dim=64)
    >>> a = Axis("calm", ["calm quiet day", "quiet calm night"], ["loud violent riot", "violent loud clash"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcd"), "outlet": list("XXYY"),
    ...                   "text": ["calm day", "quiet night", "violent riot", "loud clash"]})
    >>> ax = plot_axis_positions(score_axes(s, a, encoder=enc, n_boot=50, n_null=50, random_state=0), "calm")
    """
    t = _rows(scores, axis, stat, group)
    if sort and group is None:
        t = t.sort_values("value", kind="stable").reset_index(drop=True)
    ax = _axes(ax, (7, 0.45 * len(t) + 1.6))
    y = np.arange(len(t))
    if null_band:
        ax.barh(y, t["null_high"] - t["null_low"], left=t["null_low"], height=0.6, color="0.88",
                edgecolor="none", label=f"null {1 - scores.params['alpha']:.0%} band", zorder=1)
    hl = set(highlight)
    colors = ["C3" if g in hl else "C0" for g in t["group"]]
    err = np.vstack([t["value"] - t["ci_low"], t["ci_high"] - t["value"]]).clip(min=0)
    for yi, v, e0, e1, c in zip(y, t["value"], err[0], err[1], colors):
        ax.errorbar(v, yi, xerr=[[e0], [e1]], fmt="o", color=c, capsize=3, ms=5, zorder=3)
    if stat == "bias":
        bt = float(scores.corpus.set_index("axis").loc[axis, "bias"])
        ax.axvline(bt, color="0.4", ls="--", lw=1, zorder=2, label="corpus baseline")
    ax.set_yticks(y, [str(g) for g in t["group"]])
    ax.set_ylim(-0.7, len(t) - 0.3)
    ax.set_xlabel((f"{stat} on '{axis}' (cosine with axis)" if stat == "bias" else
                   f"intensity on '{axis}' (mean squared deviation from baseline)")
                  + (f"\nsentences scored: {text_label(scores.params)}" if text_label(scores.params) else ""))
    what = text_label(scores.params)
    ax.set_title(f"{axis}: {stat} by group ({1 - scores.params['alpha']:.0%} bootstrap CI)"
                 + (f"\n{what}" if what else ""), fontsize=10)
    if stat == "bias":
        _pole_labels(ax, scores.axis(axis))
    ax.legend(loc="best", fontsize=7, frameon=False)
    return ax


@renamed_kwargs(groups="group")
def plot_axis_plane(scores: Any, x_axis: str, y_axis: str, *, ax: Axes | None = None,
                    group: Sequence[Any] | None = None, highlight: Sequence[Any] = (),
                    annotate: bool = True) -> Axes:
    """Two axes as a plane: each group at (bias on x_axis, bias on y_axis), CIs both ways.

    The dashed cross marks the corpus baselines; pole labels name the four directions.
    ``group=`` (formerly ``groups=``) selects and orders the group labels shown.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis, score_axes
    >>> enc = HashEncoder(dim=64)
    >>> a = Axis("calm", ["calm quiet day", "quiet calm night"], ["loud violent riot", "violent loud clash"]).fit(enc)
    >>> b = Axis("money", ["bank money loan", "loan money bank"], ["tree forest leaf", "leaf tree forest"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcd"), "outlet": list("XXYY"),
    ...                   "text": ["calm bank", "quiet money", "violent tree", "loud forest"]})
    >>> ax = plot_axis_plane(score_axes(s, [a, b], encoder=enc, n_boot=50, n_null=50, random_state=0), "calm", "money")
    """
    tx = _rows(scores, x_axis, "bias", group).set_index("group")
    ty = _rows(scores, y_axis, "bias", group).set_index("group").loc[tx.index]
    ax = _axes(ax, (6.5, 5.5))
    hl = set(highlight)
    for g in tx.index:
        x, y = tx.loc[g], ty.loc[g]
        c = "C3" if g in hl else "C0"
        ax.errorbar(x["value"], y["value"],
                    xerr=[[max(x["value"] - x["ci_low"], 0)], [max(x["ci_high"] - x["value"], 0)]],
                    yerr=[[max(y["value"] - y["ci_low"], 0)], [max(y["ci_high"] - y["value"], 0)]],
                    fmt="o", color=c, ecolor=c, alpha=0.9, capsize=2, ms=5, lw=1)
        if annotate:
            ax.annotate(str(g), (x["value"], y["value"]), xytext=(4, 4), textcoords="offset points", fontsize=8)
    corp = scores.corpus.set_index("axis")
    ax.axvline(float(corp.loc[x_axis, "bias"]), color="0.5", ls="--", lw=0.8)
    ax.axhline(float(corp.loc[y_axis, "bias"]), color="0.5", ls="--", lw=0.8)
    ax.set_xlabel(f"bias on '{x_axis}'")
    ax.set_ylabel(f"bias on '{y_axis}'")
    _pole_labels(ax, scores.axis(x_axis), which="x")
    _pole_labels(ax, scores.axis(y_axis), which="y")
    what = text_label(scores.params)
    ax.set_title(f"{x_axis} x {y_axis} ({1 - scores.params['alpha']:.0%} bootstrap CIs)"
                 + (f"\n{what}" if what else ""), fontsize=10)
    return ax


@renamed_kwargs(groups="group")
def plot_projection_distribution(scores: Any, axis: str, *, ax: Axes | None = None,
                                 group: Sequence[Any] | None = None, max_points: int = 20000) -> Axes:
    """Per-sentence projections on an axis, one violin per group, group bias marked.

    Shows whether a group's lean comes from a shift of all its sentences or from a few
    strongly framed ones (compare with :func:`framing.axes.explain_axis`).

    Parameters
    ----------
    group : sequence, optional
        Group labels to show, in this order (default all; formerly ``groups=``).
    max_points : int
        Sentences per group used for the violin (a deterministic thin-out of larger groups).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis, score_axes
    >>> enc = HashEncoder(dim=64)
    >>> a = Axis("calm", ["calm quiet day", "quiet calm night"], ["loud violent riot", "violent loud clash"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("aabbccdd"), "outlet": list("XXXXYYYY"),
    ...                   "text": ["calm day", "quiet", "calm night", "a day", "riot", "loud", "clash", "a riot"]})
    >>> ax = plot_projection_distribution(score_axes(s, a, encoder=enc, n_boot=50, n_null=50, random_state=0), "calm")
    """
    t = _rows(scores, axis, "bias", group)
    ai = scores.axis_names.index(axis)
    codes = scores._atoms["unit_gcode"]
    labels = scores._atoms["labels"]
    data, names = [], []
    for g in t["group"]:
        v = scores.projections[codes == labels.index(g), ai]
        if len(v) > max_points:
            v = v[np.linspace(0, len(v) - 1, max_points).astype(int)]
        data.append(v)
        names.append(str(g))
    ax = _axes(ax, (max(5, 0.8 * len(t) + 2), 4.5))
    pos = np.arange(len(data))
    ok = [i for i, d in enumerate(data) if len(d) > 1]
    if ok:
        parts = ax.violinplot([data[i] for i in ok], positions=pos[ok], widths=0.8, showextrema=False)
        for body in parts["bodies"]:
            body.set_facecolor("C0")
            body.set_alpha(0.35)
    ax.errorbar(pos, t["value"], yerr=np.vstack([t["value"] - t["ci_low"], t["ci_high"] - t["value"]]).clip(min=0),
                fmt="o", color="k", ms=4, capsize=3, label="group bias (CI)")
    ax.axhline(float(scores.corpus.set_index("axis").loc[axis, "bias"]), color="0.4", ls="--", lw=1,
               label="corpus baseline")
    ax.set_xticks(pos, names, rotation=30 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
    ax.set_ylabel(f"sentence projection on '{axis}'")
    a = scores.axis(axis)
    ax.set_title(f"{axis}: sentences per group (\u2191 {a.positive_label}, \u2193 {a.negative_label})", fontsize=10)
    ax.legend(loc="best", fontsize=7, frameon=False)
    return ax


def _parse_x(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


def plot_axis_trend(scores: Any, axis: str, *, ax: Axes | None = None, sep: str = "|",
                    stat: str = "bias", series: Sequence[str] | None = None) -> Axes:
    """One line per series over x, with bootstrap intervals, for groups labelled ``"series|x"``.

    Score with composite group labels, e.g. ``f"{vote}|{year}"``, so that all periods share one
    corpus baseline (drawn dashed) and :func:`framing.axes.compare_groups` can test a change
    (``compare_groups(scores, axis, "yes|2021", "yes|2024")``). Series are offset slightly
    along x so their intervals do not hide each other.

    Parameters
    ----------
    sep : str
        Separator between the series name and x in the group labels; labels without it are
        skipped. x values that parse as numbers are placed numerically.
    series : sequence of str, optional
        Series to draw, in this order (default all, sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis, score_axes
    >>> enc = HashEncoder(dim=64)
    >>> a = Axis("calm", ["calm quiet day", "quiet calm night"], ["loud violent riot", "violent loud clash"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcdefgh"), "g": ["X|1", "X|1", "X|2", "X|2", "Y|1", "Y|1", "Y|2", "Y|2"],
    ...                   "text": ["calm", "quiet", "calm day", "riot", "loud", "clash", "calm", "day"]})
    >>> ax = plot_axis_trend(score_axes(s, a, encoder=enc, group="g", n_boot=50, n_null=50, random_state=0), "calm")
    """
    t = _rows(scores, axis, stat, None)
    lab = t["group"].astype(str)
    t = t[lab.str.contains(sep, regex=False)].copy()
    if t.empty:
        raise ValueError(f"no group label contains the separator {sep!r}; label groups as 'series{sep}x'")
    parts = t["group"].astype(str).str.split(sep, n=1, regex=False)
    t["series"] = parts.str[0]
    t["x"] = parts.str[1].map(_parse_x)
    names = list(series) if series is not None else sorted(t["series"].unique())
    numeric = all(isinstance(x, float) for x in t["x"])
    xs = sorted(t["x"].unique()) if numeric else list(dict.fromkeys(t["x"]))
    pos = {x: (x if numeric else i) for i, x in enumerate(xs)}
    step = (min(np.diff(sorted(pos.values()))) if len(pos) > 1 else 1.0)
    ax = _axes(ax, (7, 4.5))
    for k, name in enumerate(names):
        d = t[t["series"] == name]
        if d.empty:
            raise KeyError(f"no series {name!r}; series: {sorted(t['series'].unique())}")
        d = d.assign(_p=d["x"].map(pos)).sort_values("_p")
        off = (k - (len(names) - 1) / 2) * 0.08 * step
        ax.errorbar(d["_p"] + off, d["value"],
                    yerr=np.vstack([d["value"] - d["ci_low"], d["ci_high"] - d["value"]]).clip(min=0),
                    fmt="o-", ms=4, capsize=3, lw=1.2, label=f"{name}")
    if stat == "bias":
        ax.axhline(float(scores.corpus.set_index("axis").loc[axis, "bias"]), color="0.5", ls="--", lw=0.8,
                   label="corpus baseline")
    ax.set_xticks(list(pos.values()), [f"{x:g}" if numeric else str(x) for x in pos])
    ax.set_ylabel(f"{stat} on '{axis}'")
    a = scores.axis(axis)
    what = text_label(scores.params)
    ax.set_title(f"{axis}, {1 - scores.params['alpha']:.0%} bootstrap CIs\n"
                 f"(\u2191 {a.positive_label}, \u2193 {a.negative_label})" + (f"; {what}" if what else ""),
                 fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    return ax
