"""Plots over time: trajectories with interval bands and events, change points, lead-lag.

- :func:`plot_over_time`: one line per group (and item) of an :func:`framing.over_time`
  result with its interval band; thin bins drawn as hollow markers, empty bins as crosses
  at the foot of the axes (never joined by the line); events as vertical lines or spans;
- :func:`plot_change_points`: the series with each change's date, its interval and the
  levels before and after;
- :func:`plot_lead_lag`: correlation by lag with the best lag and the null's band.

Nothing is saved or shown: every function returns its matplotlib ``Axes``.
"""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["plot_over_time", "plot_change_points", "plot_lead_lag", "draw_events"]


def _axes(ax: Axes | None, size: tuple[float, float] = (9, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _series_keys(result: pd.DataFrame) -> list[tuple[Any, dict[str, Any]]]:
    items = [c for c in result.attrs.get("items", []) if c in result.columns]
    keys = result[["group"] + items].drop_duplicates()
    return [(k[0], dict(zip(items, k[1:]))) for k in keys.itertuples(index=False)]


def _label(group: Any, vals: dict[str, Any]) -> str:
    return " · ".join([str(group)] + [str(v) for v in vals.values()])


def draw_events(ax: Axes, events: pd.DataFrame | None, *, color: str = "0.35", labels: bool = True) -> Axes:
    """Events (:func:`framing.load_events`) as vertical lines (one day) or spans (``end``),
    labelled at the top of the axes; events outside the x range are left out."""
    if events is None or len(events) == 0:
        return ax
    lo, hi = ax.get_xlim()
    import matplotlib.dates as mdates

    for _, ev in events.sort_values("date").iterrows():
        start = mdates.date2num(pd.Timestamp(ev["date"]))
        end = pd.Timestamp(ev["end"]) if "end" in ev and pd.notna(ev["end"]) else None
        stop = mdates.date2num(end + pd.Timedelta(days=1)) if end is not None else None
        if start > hi or (stop or start) < lo:
            continue
        if stop is not None:
            ax.axvspan(start, stop, color=color, alpha=0.12, lw=0, zorder=0)
        else:
            ax.axvline(start, color=color, lw=0.9, ls="--", zorder=0)
        if labels:
            ax.annotate(str(ev["event"]), xy=(start, 1), xycoords=("data", "axes fraction"), xytext=(2, -2),
                        textcoords="offset points", rotation=90, ha="left", va="top", fontsize=7, color=color)
    ax.set_xlim(lo, hi)
    return ax


def _isolated(has: np.ndarray) -> np.ndarray:
    """Bins with an interval whose neighbours both lack one (fill_between would draw nothing)."""
    prev = np.r_[False, has[:-1]]
    nxt = np.r_[has[1:], False]
    return has & ~prev & ~nxt


def _top(result: pd.DataFrame, clip: float | None) -> float | None:
    """The clipped top of the y axis, or None when every interval fits (or ``clip`` is None).

    ``clip`` times the largest finite estimate (times its height above the lowest estimate when
    estimates go below 0); only when some upper limit (infinite ones included) lies above it.
    """
    if clip is None or "ci_high" not in result.columns or result.empty:
        return None
    est = result["estimate"].to_numpy(dtype=float)
    hi = result["ci_high"].to_numpy(dtype=float)
    est = est[np.isfinite(est)]
    if len(est) == 0:
        return None
    base = min(0.0, float(est.min()))
    top = base + clip * (float(est.max()) - base)
    if top <= base:                                         # all estimates 0: the largest finite limit
        finite = hi[np.isfinite(hi) & (hi > base)]
        top = float(finite.max()) if len(finite) else base + 1.0
    return top if np.any(hi[~np.isnan(hi)] > top) else None


def _band(ax: Axes, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, color: str, top: float | None) -> int:
    """The interval band (bars for isolated bins), cut at ``top`` with a caret on each open
    interval; returns the number of open intervals."""
    open_ = np.zeros(len(x), dtype=bool)
    if top is not None:
        open_ = ~np.isnan(hi) & (hi > top)
        lo, hi = np.minimum(lo, top), np.minimum(hi, top)
    ax.fill_between(x, lo, hi, color=color, alpha=0.18, lw=0)
    alone = _isolated(np.isfinite(lo) & np.isfinite(hi))   # a band needs two neighbours
    if alone.any():
        ax.vlines(x[alone], lo[alone], hi[alone], color=color, alpha=0.5, lw=2)
    if open_.any():
        ax.plot(x[open_], np.full(int(open_.sum()), top), ls="none", marker="^", ms=5, color=color,
                clip_on=False, zorder=4, label="_open interval")
    return int(open_.sum())


def plot_over_time(result: pd.DataFrame, *, ax: Axes | None = None, events: pd.DataFrame | None = None,
                   band: bool = True, title: str | None = None, clip: float | None = 1.3) -> Axes:
    """Trajectories of an :func:`framing.over_time` result, with intervals and events.

    Each (group, item) series is a line through its bins with a value; a bin with no
    document breaks the line (no interpolation) and is marked by a cross (in the series' colour)
    at the foot of the axes;
    thin bins (fewer than ``min_docs`` documents, no interval) are hollow markers. The
    interval band is the ``1 - alpha`` interval of each bin; a bin whose neighbours have no
    interval gets a vertical bar instead (a band needs two bins).

    **Open intervals.** A bin whose count rests on one or two documents can have a profile
    interval with an infinite or astronomically high upper limit (the negative-binomial
    profile of :func:`framing.stats.nb_rate_interval` has no finite bound when one document
    holds every match), which would squash every series to the foot of the axes. With
    ``clip`` (default 1.3), when some upper limit lies above ``clip`` times the largest
    finite estimate, the y axis is cut there: intervals that run past it are drawn up to the
    edge and marked open by a caret (``^``) at the top of the axes. Estimates are never cut.
    When estimates go below 0 (axis positions), the cut is at ``clip`` times the height of
    the largest estimate above the lowest. ``clip=None`` autoscales to every finite limit.

    Parameters
    ----------
    result : DataFrame
        An :func:`framing.over_time` result (filter its rows to draw fewer series).
    ax : Axes, optional
    events : DataFrame, optional
        :func:`framing.load_events` output, drawn as lines and spans.
    band : bool
        Draw the interval bands.
    title : str, optional
    clip : float or None
        Top of the y axis as a multiple of the largest estimate, applied only when an
        interval reaches above it (see **Open intervals**); None: autoscale.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from framing.timeline import over_time, load_events
    >>> s = pd.DataFrame({"doc_id": list("abcdefg"), "outlet": "X",
    ...                   "published": ["2022-09-20"] * 5 + ["2022-09-23", "2022-10-01"]})
    >>> ax = plot_over_time(over_time(s, "volume"), events=load_events())
    >>> len(ax.get_lines()) >= 1
    True
    >>> t = pd.DataFrame({"date": pd.date_range("2022-09-20", periods=3), "group": "X",
    ...                   "estimate": [1.0, 2.0, 1.0], "ci_low": [0.5, 1.0, 0.4],
    ...                   "ci_high": [1.8, np.inf, 1.5], "n_docs": 9, "thin": False})
    >>> ax = plot_over_time(t, clip=1.5)
    >>> float(ax.get_ylim()[1])
    3.0
    """
    ax = _axes(ax)
    top = _top(result, clip) if band else None
    n_open = 0
    for group, vals in _series_keys(result):
        rows = result[result["group"] == group]
        for c, v in vals.items():
            rows = rows[rows[c] == v]
        rows = rows.sort_values("date")
        x, y = rows["date"].to_numpy(), rows["estimate"].to_numpy(dtype=float)
        empty = rows["n_docs"].to_numpy() == 0
        thin = rows["thin"].to_numpy(dtype=bool) & ~empty
        y_line = np.where(empty & (result.attrs.get("measure") == "volume"), y, np.where(empty, np.nan, y))
        (line,) = ax.plot(x, y_line, marker="o", ms=3, lw=1.4, label=_label(group, vals))
        if band:
            n_open += _band(ax, x, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float),
                            line.get_color(), top)
        if thin.any():
            ax.plot(x[thin], y[thin], ls="none", marker="o", ms=6, mfc="white", mec=line.get_color(), zorder=3)
        if empty.any():
            ax.plot(x[empty], np.full(int(empty.sum()), 0.03), ls="none", marker="x", ms=6, mew=1.5,
                    color=line.get_color(), alpha=0.7, transform=ax.get_xaxis_transform())
    draw_events(ax, events)
    if top is not None:
        ax.set_ylim(ax.get_ylim()[0], top)
    measure = result.attrs.get("measure", "estimate")
    ax.set_ylabel({"volume": "articles per bin", "markers": f"per {result.attrs.get('per') or 1000:g} words",
                   "axes": "axis position", "stance": "share of sentences", "themes": "share of sentences"}
                  .get(measure, "estimate"))
    note = f"bins: {result.attrs.get('freq')}; hollow: thin (< {result.attrs.get('min_docs')} documents); " \
           "crosses at the foot: empty bins" + ("; ^: interval open above the axis" if n_open else "")
    ax.set_title(note if title is None else title, fontsize=9)
    if len(_series_keys(result)) > 1:
        ax.legend(fontsize=7, frameon=False, ncol=2)
    ax.figure.autofmt_xdate()
    return ax


def plot_change_points(trajectory: pd.DataFrame, changes: pd.DataFrame, *, ax: Axes | None = None,
                       events: pd.DataFrame | None = None, clip: float | None = 1.3) -> Axes:
    """A trajectory with its change points: date (solid line), interval (shaded) and levels.

    The trajectory is drawn by :func:`plot_over_time`; ``clip`` cuts its y axis the same way
    (intervals open above the axis marked by a caret; None: autoscale).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from framing.timeline import over_time, change_points
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2022-09-01", periods=20).repeat(20)
    >>> s = pd.DataFrame({"doc_id": np.arange(400), "published": days, "outlet": "X",
    ...                   "lab": np.where(rng.random(400) < np.where(days >= "2022-09-11", .6, .2), "y", "n")})
    >>> t = over_time(s, "stance", labels="lab", n_boot=0)
    >>> t = t[t["class"] == "y"]
    >>> ax = plot_change_points(t, change_points(t, n_null=50, n_boot=30, random_state=0))
    >>> len(ax.patches) >= 1
    True
    """
    ax = plot_over_time(trajectory, ax=ax, events=events, band=True, title="", clip=clip)
    colors = {ln.get_label(): ln.get_color() for ln in ax.get_lines()}
    items = [c for c in changes.attrs.get("items", trajectory.attrs.get("items", [])) if c in changes.columns]
    for _, ch in changes.iterrows():
        color = colors.get(_label(ch["group"], {c: ch[c] for c in items}), "0.2")
        ax.axvline(ch["date"], color=color, lw=1.5)
        if pd.notna(ch["ci_low"]) and pd.notna(ch["ci_high"]):
            ax.axvspan(ch["ci_low"], ch["ci_high"] + pd.Timedelta(days=1), color=color, alpha=0.12, lw=0)
        ax.annotate(f"{ch['before']:.3g} \u2192 {ch['after']:.3g}", xy=(ch["date"], 0.02),
                    xycoords=("data", "axes fraction"), xytext=(3, 0), textcoords="offset points", fontsize=7,
                    color=color)
    ax.set_title(f"change points ({changes.attrs.get('method', 'pelt')}, penalty from a permutation null at "
                 f"alpha={changes.attrs.get('alpha')}); shaded: date interval", fontsize=9)
    return ax


def plot_lead_lag(result: Any, *, ax: Axes | None = None) -> Axes:
    """Correlation by lag of a :func:`framing.lead_lag` result; the best lag highlighted and
    the null's ``95 %`` quantile of the largest absolute correlation as a band.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from framing.timeline import lead_lag
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=80)
    >>> d = pd.date_range("2022-01-01", periods=78)
    >>> t = pd.DataFrame({"date": np.tile(d, 2), "group": ["a"] * 78 + ["b"] * 78, "estimate": np.r_[z[2:], z[:-2]]})
    >>> ax = plot_lead_lag(lead_lag(t, "a", "b", random_state=0))
    >>> len(ax.patches) > 0
    True
    """
    ax = _axes(ax, (6, 3.5))
    lags = result.lags
    colors = ["C3" if lag == result.best_lag else "C0" for lag in lags["lag"]]
    ax.bar(lags["lag"], lags["correlation"].fillna(0), color=colors, width=0.7)
    if len(result.null):
        q = float(np.quantile(result.null, 0.95))
        ax.axhspan(-q, q, color="0.85", zorder=0, lw=0, label="95 % of the shift null (max |r|)")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xlabel(f"lag L (bins): corr({result.a}[t], {result.b}[t+L]); L > 0: {result.a} leads")
    ax.set_ylabel("correlation")
    ax.set_title(f"best lag {result.best_lag}, r = {result.correlation:.2f}, p = {result.p_value:.3g}", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    return ax
