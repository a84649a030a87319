"""Change points in trajectories and lead-lag between two groups' series.

- :func:`change_points`: changes in level of each series of an :func:`over_time` result,
  found with ``ruptures`` (PELT or binary segmentation; Truong, Oudre & Vayatis 2020), bins
  weighted by their size, under a penalty calibrated by a permutation null, with a
  document-bootstrap interval for each change's date;
- :func:`lead_lag`: the cross-correlation of two groups' series over lags, the best lag and
  a p-value from circular shifts (a null that keeps each series' autocorrelation).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from framing.stats import as_rng, bootstrap_counts

from .documents import DocumentValues
from .trajectory import bin_index

__all__ = ["change_points", "lead_lag", "LeadLag"]


# ------------------------------------------------------------------------------ segment costs

def _seg_costs(x: np.ndarray, min_size: int, w: np.ndarray | None = None) -> np.ndarray:
    """l2 cost of every segment ``[i, j)`` (inf when shorter than ``min_size``), (n+1, n+1).

    With weights ``w`` the cost is ``sum_i w_i (x_i - m_w)^2``, ``m_w`` the weighted mean of
    the segment (cumulative sums of ``w``, ``w x`` and ``w x^2``; ``x`` centred first).
    """
    n = len(x)
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    length = (j - i).astype(float)
    if w is None:
        s1 = np.concatenate([[0.0], np.cumsum(x)])
        s2 = np.concatenate([[0.0], np.cumsum(x * x)])
        with np.errstate(invalid="ignore", divide="ignore"):
            cost = (s2[j] - s2[i]) - (s1[j] - s1[i]) ** 2 / length
    else:
        xc = x - np.average(x, weights=w)
        s0 = np.concatenate([[0.0], np.cumsum(w)])
        s1 = np.concatenate([[0.0], np.cumsum(w * xc)])
        s2 = np.concatenate([[0.0], np.cumsum(w * xc * xc)])
        with np.errstate(invalid="ignore", divide="ignore"):
            cost = (s2[j] - s2[i]) - (s1[j] - s1[i]) ** 2 / (s0[j] - s0[i])
        cost = np.maximum(cost, 0.0)
    cost[length < min_size] = np.inf
    return cost


def _weighted_l2(w: np.ndarray, min_size: int) -> Any:
    """A ``ruptures`` cost: the weighted l2 cost of :func:`_seg_costs`, for Pelt and Binseg."""
    from ruptures.base import BaseCost
    from ruptures.costs import NotEnoughPoints

    class WeightedL2(BaseCost):
        """``sum_i w_i (x_i - m_w)^2`` over the segment, ``m_w`` its weighted mean."""

        model = "weighted_l2"

        def __init__(self) -> None:
            self.min_size = min_size
            self.w = np.asarray(w, dtype=float)

        def fit(self, signal: np.ndarray) -> WeightedL2:
            self.signal = np.asarray(signal, dtype=float).reshape(len(self.w), -1)
            x = self.signal[:, 0]
            xc = x - np.average(x, weights=self.w)
            self.s0 = np.concatenate([[0.0], np.cumsum(self.w)])
            self.s1 = np.concatenate([[0.0], np.cumsum(self.w * xc)])
            self.s2 = np.concatenate([[0.0], np.cumsum(self.w * xc * xc)])
            return self

        def error(self, start: int, end: int) -> float:
            if end - start < self.min_size:
                raise NotEnoughPoints
            s1 = self.s1[end] - self.s1[start]
            return max(float(self.s2[end] - self.s2[start] - s1 * s1 / (self.s0[end] - self.s0[start])), 0.0)

    return WeightedL2()


def _critical_penalty(x: np.ndarray, method: str, min_size: int, max_changes: int,
                      w: np.ndarray | None = None) -> float:
    """Smallest penalty at which the penalised (weighted) l2 segmentation of ``x`` has no change.

    Exact penalised segmentation (what PELT solves; Killick, Fearnhead & Eckley 2012) keeps
    no change iff ``pen >= max_m (C_0 - C_m) / m`` with ``C_m`` the best cost with ``m``
    changes (optimal partitioning by dynamic programming, up to ``max_changes``). Binary
    segmentation stops at once iff ``pen >= C_0 - C_1``.
    """
    cost = _seg_costs(x, min_size, w)
    n = len(x)
    c0 = cost[0, n]
    best = cost[0, :].copy()                       # best cost of x[:j] with m changes
    crit = 0.0
    for m in range(1, max_changes + 1 if method == "pelt" else 2):
        best = np.min(best[:, None] + cost, axis=0)
        if not np.isfinite(best[n]):
            break
        crit = max(crit, (c0 - best[n]) / m)
    return float(crit)


def _detect(x: np.ndarray, pen: float, method: str, min_size: int, w: np.ndarray | None = None) -> list[int]:
    import ruptures as rpt

    if len(x) < 2 * min_size:
        return []
    algo_cls = rpt.Pelt if method == "pelt" else rpt.Binseg
    if w is None:
        algo = algo_cls(model="l2", min_size=min_size, jump=1)
    else:
        algo = algo_cls(custom_cost=_weighted_l2(w, min_size), min_size=min_size, jump=1)
    bkps = algo.fit(x.reshape(-1, 1)).predict(pen=max(pen, 1e-12))
    return [int(b) for b in bkps[:-1]]


def _calibrate(x: np.ndarray, method: str, min_size: int, n_null: int, alpha: float,
               rng: np.random.Generator, w: np.ndarray | None = None) -> float:
    """The smallest penalty with at most ``alpha`` of bin-shuffled series showing a change.

    With weights, (value, weight) pairs are shuffled together.
    """
    max_changes = max(1, min(5, len(x) // min_size - 1))
    if w is None:
        crit = [_critical_penalty(rng.permutation(x), method, min_size, max_changes) for _ in range(n_null)]
    else:
        crit = [_critical_penalty(x[o], method, min_size, max_changes, w[o])
                for o in (rng.permutation(len(x)) for _ in range(n_null))]
    crit = np.sort(crit)
    r = int(np.ceil(n_null * (1 - alpha)))
    return float(crit[min(max(r, 1), n_null) - 1])


def _best_split(x: np.ndarray, lo: int, hi: int, min_size: int, w: np.ndarray | None = None) -> int | None:
    seg = x[lo:hi]
    cands = np.arange(min_size, len(seg) - min_size + 1)
    if len(cands) == 0:
        return None
    cost = _seg_costs(seg, 1, None if w is None else w[lo:hi])
    total = cost[0, cands] + cost[cands, len(seg)]
    return lo + int(cands[np.argmin(total)])


# ------------------------------------------------------------------------------ series

def _series_setup(traj: pd.DataFrame) -> tuple[DocumentValues, list[str], np.ndarray, pd.DatetimeIndex]:
    dv = traj.attrs.get("documents")
    if not isinstance(dv, DocumentValues):
        raise ValueError("change_points: the trajectory carries no documents (attrs['documents']); pass the "
                         "result of framing.over_time (filtered rows keep their attrs)")
    if dv.den is None:
        raise ValueError("change_points: volume trajectories count articles; pass a marker, axis, stance or theme "
                         "trajectory")
    items = list(traj.attrs.get("items", []))
    bins, starts = bin_index(dv.date, traj.attrs["freq"], traj.attrs.get("start"), traj.attrs.get("end"))
    return dv, items, bins, starts


def _bin_series(dv: DocumentValues, docs: np.ndarray, bins: np.ndarray, n_bins: int, j: int,
                W: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pooled estimate and size (summed ``den``) per bin of item ``j`` for documents ``docs``
    (rows: replicates, one per row of the resampling counts ``W``)."""
    b = bins[docs]
    num, den = dv.num[docs, j], dv.den[docs, j]
    if W is None:
        W = np.ones((1, len(docs)))
    M = np.zeros((len(docs), n_bins))
    M[np.arange(len(docs)), b] = 1.0
    size = (W * den) @ M
    with np.errstate(invalid="ignore", divide="ignore"):
        out = dv.scale * ((W * num) @ M) / size
    return out, size


def _normalised(size: np.ndarray) -> np.ndarray:
    """Bin weights proportional to ``size``, mean 1 over the bins."""
    return size / size.mean()


def _relocate(dv: DocumentValues, docs: np.ndarray, bins: np.ndarray, n_bins: int, j: int, ok: np.ndarray,
              bounds: list[int], min_size: int, n_boot: int, weighted: bool,
              rng: np.random.Generator) -> np.ndarray:
    """Bootstrap locations (bin positions among ``ok``; -1: none) of each change, (n_boot, changes).

    Documents are resampled within bins; each change is re-located as the best single split
    between its neighbours, under weights recomputed from the replicate's sizes.
    """
    locs = np.full((max(n_boot, 0), len(bounds) - 2), -1, dtype=np.int64)
    if not n_boot:
        return locs
    W = bootstrap_counts(len(docs), n_boot, rng, strata=bins[docs]).astype(float)
    X, S = _bin_series(dv, docs, bins, n_bins, j, W)
    for r, (xb, sb) in enumerate(zip(X[:, ok], S[:, ok])):
        for c in range(len(bounds) - 2):
            lo, hi = bounds[c], bounds[c + 2]
            if np.all(np.isfinite(xb[lo:hi])) and (not weighted or np.all(sb[lo:hi] > 0)):
                s = _best_split(xb, lo, hi, min_size, _normalised(sb) if weighted else None)
                locs[r, c] = -1 if s is None else s
    return locs


def _one_series(dv: DocumentValues, docs: np.ndarray, bins: np.ndarray, starts: pd.DatetimeIndex, j: int,
                method: str, min_size: int, n_null: int, n_boot: int, alpha: float, weights: str | None,
                rng: np.random.Generator) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    series, size = (a[0] for a in _bin_series(dv, docs, bins, len(starts), j))
    ok = np.flatnonzero(np.isfinite(series) & (size > 0))
    x = series[ok]
    w = _normalised(size[ok]) if weights == "size" else None
    info: dict[str, Any] = {"n_bins": len(x), "penalty": np.nan, "n_changes": 0}
    if len(x) < 2 * min_size + 1 or np.ptp(x) == 0:
        return [], info
    pen = _calibrate(x, method, min_size, n_null, alpha, rng, w)
    cps = _detect(x, pen, method, min_size, w)
    info.update(penalty=pen, n_changes=len(cps))
    if not cps:
        return [], info
    bounds = [0] + cps + [len(x)]
    locs = _relocate(dv, docs, bins, len(starts), j, ok, bounds, min_size, n_boot, w is not None, rng)
    rows = []
    dates = starts[ok]
    for c, t in enumerate(cps):
        if w is None:
            before, after = float(x[bounds[c]:t].mean()), float(x[t:bounds[c + 2]].mean())
        else:
            before = float(np.average(x[bounds[c]:t], weights=w[bounds[c]:t]))
            after = float(np.average(x[t:bounds[c + 2]], weights=w[t:bounds[c + 2]]))
        got = locs[:, c][locs[:, c] >= 0]
        lo = hi = pd.NaT
        if len(got):
            lo = dates[int(np.quantile(got, alpha / 2, method="lower"))]
            hi = dates[int(np.quantile(got, 1 - alpha / 2, method="higher"))]
        rows.append({"date": dates[t], "ci_low": lo, "ci_high": hi, "size": after - before, "before": before,
                     "after": after, "penalty": pen})
    return rows, info


def change_points(trajectory: pd.DataFrame, *, method: str = "pelt", alpha: float = 0.05, n_null: int = 200,
                  n_boot: int = 200, min_size: int = 2, weights: str | None = "size",
                  random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Changes in level of each series of a trajectory, with intervals for their dates.

    For every (group, item) series of an :func:`framing.over_time` result (filter its rows
    to analyse fewer; empty bins are left out, thin ones kept), the bin estimates are
    segmented by penalised least squares (l2 cost: a change in mean) with ``ruptures``
    (Truong, Oudre & Vayatis 2020, *Signal Processing* 167:107299): PELT, exact optimal
    partitioning (Killick, Fearnhead & Eckley 2012, *JASA* 107(500):1590-1598), or binary
    segmentation. The series is always the unsmoothed one (one value per bin), whatever
    ``rolling`` the trajectory used.

    **Weights.** A bin's estimate is a ratio (matches over words, sentences of a class over
    labelled sentences...), so its sampling variance falls roughly as one over its size: a day
    with one short article is far noisier than a day with thirty. With ``weights="size"``
    (default) each bin is weighted by its size, the denominator pooled in the bin (words for
    marker rates, labelled sentences for stance and theme shares, the summed sentence weights
    for axes), normalised to mean 1 over the series' bins, and the cost of a segment is the
    weighted l2 cost ``sum_i w_i (x_i - m_w)^2`` with ``m_w`` its weighted mean (the Gaussian
    likelihood of a change in mean with variance ``sigma^2 / w_i``). A thin bin with an extreme
    value then weighs as little as the few words or sentences behind it, instead of creating
    a change or inflating the penalty of the whole series (every shuffled copy of the series
    carries it). ``weights=None`` treats every bin alike (plain l2 cost).

    **Penalty.** The bins of the series are shuffled ``n_null`` times (value and weight
    together); for each shuffled series the smallest penalty that yields no change is
    computed exactly (dynamic programming up to five changes), and the penalty is the smallest value that leaves at
    most ``alpha`` of the shuffled series with a change. So a series whose bins are
    exchangeable (no change, no trend, no autocorrelation) yields a change with probability
    about ``alpha``; autocorrelated series yield more. With weights the null treats the
    (value, size) pairs as exchangeable, so bin sizes that trend over time make it approximate.

    **Dates.** Documents are resampled within each bin ``n_boot`` times (document bootstrap);
    in each replicate, each change is re-located as the best single split between its
    neighbouring changes (weighted by the replicate's own bin sizes), and the percentile
    interval of those locations is reported as dates (``ci_low`` and ``ci_high`` are bin
    starts).

    Parameters
    ----------
    trajectory : DataFrame
        An :func:`framing.over_time` result (not volume), or rows of it.
    method : {"pelt", "binseg"}
    alpha : float
        Share of flat series allowed a change; intervals cover ``1 - alpha``.
    n_null : int
        Shuffled series for the penalty.
    n_boot : int
        Bootstrap replicates for the dates (0: no interval).
    min_size : int
        Fewest bins in a segment.
    weights : {"size", None}
        ``"size"``: weight each bin by its size (see **Weights**); None: every bin alike.
    random_state : None, int or Generator

    Returns
    -------
    DataFrame
        One row per change: ``group``, the item columns, ``date`` (first bin of the new
        level), ``ci_low``, ``ci_high``, ``size`` (``after - before``), ``before``, ``after``
        (mean of the bin estimates of the segments on each side, weighted by size when
        ``weights="size"``: then the pooled estimate of the segment's documents), ``penalty``.
        ``attrs["series"]`` lists every series tested (group, items, ``n_bins``, ``penalty``,
        ``n_changes``), so a series without a change is visible too.

    Examples
    --------
    >>> from framing.timeline import over_time
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2022-09-01", periods=20).repeat(20)
    >>> p = np.where(days >= "2022-09-11", 0.6, 0.2)
    >>> s = pd.DataFrame({"doc_id": np.arange(400), "published": days, "outlet": "X",
    ...                   "lab": np.where(rng.random(400) < p, "yes", "no")})
    >>> t = over_time(s, "stance", labels="lab", n_boot=0)
    >>> cp = change_points(t[t["class"] == "yes"], n_null=100, n_boot=50, random_state=0)
    >>> cp[["group", "date"]].astype(str).values.tolist()
    [['X', '2022-09-11']]
    """
    if method not in ("pelt", "binseg"):
        raise ValueError(f"change_points: method must be 'pelt' or 'binseg', got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"change_points: alpha must be in (0, 1), got {alpha!r}")
    for name, v, least in (("n_null", n_null, 1), ("n_boot", n_boot, 0), ("min_size", min_size, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
            raise ValueError(f"change_points: {name} must be an int >= {least}, got {v!r}")
    if weights not in ("size", None):
        raise ValueError(f"change_points: weights must be 'size' or None, got {weights!r}")
    dv, items, bins, starts = _series_setup(trajectory)
    rng = as_rng(random_state)
    keys = trajectory[["group"] + items].drop_duplicates()
    rows, series = [], []
    for key in keys.itertuples(index=False):
        g, vals = key[0], dict(zip(items, key[1:]))
        match = np.ones(len(dv.items), dtype=bool)
        for c, v in vals.items():
            match &= dv.items[c].to_numpy() == v
        j = int(np.flatnonzero(match)[0])
        docs = np.flatnonzero((dv.group == g) & (bins >= 0))
        found, info = _one_series(dv, docs, bins, starts, j, method, min_size, n_null, n_boot, alpha, weights,
                                  rng)
        rows += [{"group": g, **vals, **r} for r in found]
        series.append({"group": g, **vals, **info})
    cols = ["group"] + items + ["date", "ci_low", "ci_high", "size", "before", "after", "penalty"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("date", "ci_low", "ci_high"):
        out[c] = pd.to_datetime(out[c])
    out.attrs.update({"method": method, "alpha": alpha, "n_null": n_null, "n_boot": n_boot, "min_size": min_size,
                      "weights": weights, "cost": "l2" if weights is None else "weighted l2 (bin sizes)",
                      "penalty": "permutation null (bins shuffled)", "series": series,
                      "freq": trajectory.attrs.get("freq"), "measure": dv.measure})
    return out


# ------------------------------------------------------------------------------ lead-lag

class LeadLag:
    """Result of :func:`lead_lag`: correlations by lag, the best lag and its p-value.

    Attributes
    ----------
    lags : DataFrame
        ``lag``, ``correlation``, ``n_bins`` (pairs of bins used).
    a, b : labels of the two groups
    best_lag : int
        The lag with the largest absolute correlation; > 0: ``a`` leads ``b``.
    correlation, p_value : float
    null : ndarray
        The null distribution of the largest absolute correlation.
    params : dict
    """

    def __init__(self, *, lags: pd.DataFrame, a: Any, b: Any, best_lag: int, correlation: float, p_value: float,
                 null: np.ndarray, params: dict[str, Any]) -> None:
        self.lags, self.a, self.b = lags, a, b
        self.best_lag, self.correlation, self.p_value = best_lag, correlation, p_value
        self.null, self.params = null, params

    @property
    def leader(self) -> Any:
        """The group whose series moves first (None at lag 0)."""
        return self.a if self.best_lag > 0 else (self.b if self.best_lag < 0 else None)

    def to_frame(self) -> pd.DataFrame:
        """The correlations by lag (one row per lag)."""
        return self.lags.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``a``, ``b``, ``best_lag``, ``leader``, ``correlation``, ``p_value``, ``n_bins``."""
        n = int(self.lags.loc[self.lags["lag"] == self.best_lag, "n_bins"].iloc[0])
        return pd.DataFrame([{"a": self.a, "b": self.b, "best_lag": self.best_lag, "leader": self.leader,
                              "correlation": self.correlation, "p_value": self.p_value, "n_bins": n}])

    def __repr__(self) -> str:
        return (f"LeadLag({self.a!r} vs {self.b!r}: best lag {self.best_lag}, r={self.correlation:.3f}, "
                f"p={self.p_value:.3g})")

    def _repr_html_(self) -> str:
        from framing._display import html_summary

        return html_summary("LeadLag", {"a": self.a, "b": self.b, "best_lag": self.best_lag,
                                        "p_value": self.p_value, "null": self.params.get("null")}, self.summary())


def _xcorr(x: np.ndarray, Y: np.ndarray, lags: np.ndarray, min_pairs: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """corr(x_t, y_{t+L}) over complete pairs, for each lag L and each row y of Y: (rows, lags)."""
    n = len(x)
    Y = np.atleast_2d(Y)
    r = np.full((Y.shape[0], len(lags)), np.nan)
    m = np.zeros((Y.shape[0], len(lags)), dtype=int)
    for i, L in enumerate(lags):
        a, b = (x[:n - L], Y[:, L:]) if L >= 0 else (x[-L:], Y[:, :n + L])
        ok = np.isfinite(a)[None, :] & np.isfinite(b)
        cnt = ok.sum(axis=1)
        A, B = np.where(ok, a[None, :], 0.0), np.where(ok, b, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ma, mb = A.sum(axis=1) / cnt, B.sum(axis=1) / cnt
            da, db = np.where(ok, A - ma[:, None], 0.0), np.where(ok, B - mb[:, None], 0.0)
            sa, sb = (da * da).sum(axis=1), (db * db).sum(axis=1)
            rr = (da * db).sum(axis=1) / np.sqrt(sa * sb)
        good = (cnt >= min_pairs) & (sa > 1e-300) & (sb > 1e-300)
        r[:, i] = np.where(good, rr, np.nan)
        m[:, i] = cnt
    return r, m


def _pair(trajectory: pd.DataFrame, a: Any, b: Any, difference: bool) -> tuple[np.ndarray, np.ndarray, list]:
    items = [c for c in trajectory.attrs.get("items", []) if c in trajectory.columns]
    if items and len(trajectory[items].drop_duplicates()) > 1:
        raise ValueError(f"lead_lag: the trajectory holds several items ({items}); filter it to one first")
    series = []
    for g in (a, b):
        rows = trajectory[trajectory["group"] == g]
        if rows.empty:
            raise ValueError(f"lead_lag: no group {g!r}; groups: {sorted(trajectory['group'].unique(), key=str)}")
        series.append(rows.set_index("date")["estimate"])
    both = pd.concat(series, axis=1, keys=["a", "b"]).sort_index()
    x, y = both["a"].to_numpy(float), both["b"].to_numpy(float)
    if difference:
        x, y = np.diff(x), np.diff(y)
    return x, y, list(both.index)


def lead_lag(trajectory: pd.DataFrame, a: Any, b: Any, *, max_lag: int = 7, n_perm: int = 1000,
             difference: bool = False, random_state: int | np.random.Generator | None = None) -> LeadLag:
    """Which of two groups' series moves first: cross-correlation over lags with a shift null.

    The correlation of ``a``'s series at bin ``t`` with ``b``'s at ``t + L`` is computed for
    ``L = -max_lag..max_lag`` over the bins where both have a value (empty bins are left out,
    never filled). The best lag maximises the absolute correlation; ``L > 0`` means ``a``
    leads ``b`` by ``L`` bins. The p-value of the largest absolute correlation comes from
    **circular shifts** of ``b``'s series against ``a``'s by more than ``max_lag`` bins
    (Bjornstad & Falck 2001 for the idea, Good 2005 for permutation tests): a shift keeps each
    series' autocorrelation, which an independent shuffle would destroy, and breaks their
    alignment. With few bins only few shifts exist (all are used then): the smallest p-value
    is ``1 / (shifts + 1)``. A shared trend makes series correlate at every lag:
    ``difference=True`` correlates bin-to-bin changes instead.

    Parameters
    ----------
    trajectory : DataFrame
        An :func:`framing.over_time` result holding one item (filter it first).
    a, b : group labels
    max_lag : int
    n_perm : int
        Circular shifts drawn (without replacement; all of them when fewer exist).
    difference : bool
    random_state : None, int or Generator

    Returns
    -------
    LeadLag

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> z = np.convolve(rng.normal(size=130), np.ones(3) / 3, mode="same")
    >>> d = pd.date_range("2022-01-01", periods=120)
    >>> t = pd.DataFrame({"date": np.tile(d, 2), "group": ["RT"] * 120 + ["CNN"] * 120,
    ...                   "estimate": np.r_[z[5:125], z[3:123] + 0.1 * rng.normal(size=120)]})
    >>> r = lead_lag(t, "RT", "CNN", random_state=0)
    >>> r.best_lag, r.leader, bool(r.p_value < 0.05)
    (2, 'RT', True)
    """
    if isinstance(max_lag, bool) or not isinstance(max_lag, (int, np.integer)) or max_lag < 0:
        raise ValueError(f"lead_lag: max_lag must be an int >= 0, got {max_lag!r}")
    if isinstance(n_perm, bool) or not isinstance(n_perm, (int, np.integer)) or n_perm < 1:
        raise ValueError(f"lead_lag: n_perm must be an int >= 1, got {n_perm!r}")
    x, y, dates = _pair(trajectory, a, b, difference)
    n = len(x)
    lags = np.arange(-max_lag, max_lag + 1)
    r, m = _xcorr(x, y, lags)
    r, m = r[0], m[0]
    if not np.any(np.isfinite(r)):
        raise ValueError(f"lead_lag: too few bins where both {a!r} and {b!r} have a value ({n} bins)")
    k = int(np.nanargmax(np.abs(r)))
    obs = float(np.abs(r[k]))
    shifts = np.arange(max_lag + 1, n - max_lag)
    rng = as_rng(random_state)
    if len(shifts) > n_perm:
        shifts = rng.choice(shifts, size=n_perm, replace=False)
    null = np.array([])
    if len(shifts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN rows: no pair at any lag
            null = np.nanmax(np.abs(_xcorr(x, np.stack([np.roll(y, int(s)) for s in shifts]), lags)[0]), axis=1)
        null = np.where(np.isfinite(null), null, 0.0)
    p = float((1 + np.sum(null >= obs - 1e-12)) / (1 + len(null)))
    table = pd.DataFrame({"lag": lags, "correlation": r, "n_bins": m})
    params = {"max_lag": max_lag, "n_perm": n_perm, "n_shifts": len(null), "difference": difference,
              "null": "circular shifts of b by more than max_lag bins", "first": str(dates[0]) if dates else None}
    return LeadLag(lags=table, a=a, b=b, best_lag=int(lags[k]), correlation=float(r[k]), p_value=p, null=null,
                   params=params)
