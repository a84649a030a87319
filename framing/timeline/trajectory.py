"""Trajectories: a measure per time bin and group, with document-bootstrap intervals.

:func:`over_time` bins documents by publication date (day, week or month), pools the
documents of each (bin, group) cell (or of a centred window of bins) and reports the pooled
estimate with a percentile interval from resampling whole documents within the cell. Empty
and thin bins are rows of their own, never interpolated.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from framing.stats import (MIN_DOCS, as_rng, bootstrap_counts, check_min_docs, nb_rate_interval,
                           percentile_interval, zero_count_upper)

from .documents import DocumentValues, document_values

__all__ = ["over_time", "FREQS", "bin_index"]

#: freq= -> pandas period alias (weeks run Monday to Sunday)
FREQS = {"D": "D", "W": "W-SUN", "M": "M", "Y": "Y-DEC"}


def bin_index(dates: np.ndarray, freq: str, start: Any = None, end: Any = None
              ) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Bin of each date (-1: outside ``[start, end]``) and the start dates of all bins.

    Every bin from the first to the last is listed, including bins with no document.

    Examples
    --------
    >>> b, starts = bin_index(pd.to_datetime(["2022-09-21", "2022-09-30"]).to_numpy(), "W")
    >>> b.tolist(), [str(d.date()) for d in starts]
    ([0, 1], ['2022-09-19', '2022-09-26'])
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    d = pd.DatetimeIndex(pd.to_datetime(dates))
    lo = pd.Timestamp(start) if start is not None else (d.min() if len(d) else None)
    hi = pd.Timestamp(end) if end is not None else (d.max() if len(d) else None)
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        raise ValueError("over_time: no dated document to bin (and no start=/end= given)")
    if hi < lo:
        raise ValueError(f"over_time: end {hi.date()} is before start {lo.date()}")
    periods = pd.period_range(lo.to_period(FREQS[freq]), hi.to_period(FREQS[freq]), freq=FREQS[freq])
    starts = periods.start_time
    idx = np.searchsorted(starts.to_numpy(), d.to_numpy(), side="right") - 1
    inside = (d >= starts[0]) & (d < periods[-1].end_time.normalize() + pd.Timedelta(days=1))
    if start is not None:
        inside &= d >= pd.Timestamp(start)
    if end is not None:
        inside &= d <= pd.Timestamp(end)
    return np.where(inside, idx, -1).astype(np.int64), pd.DatetimeIndex(starts)


def _garwood(count: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood 1936) Poisson interval of a count."""
    from scipy.stats import chi2

    count = np.asarray(count, dtype=float)
    lo = np.where(count > 0, chi2.ppf(alpha / 2, 2 * count) / 2, 0.0)
    hi = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return lo, hi


def _cell(dv: DocumentValues, idx: np.ndarray, width: int, interval: str | None, n_boot: int,
          rng: np.random.Generator, alpha: float, thin: bool) -> tuple[np.ndarray, ...]:
    """Estimate, interval and documents of one (bin window, group) cell, for every item."""
    k = dv.num.shape[1]
    if dv.den is None:                                        # volume: articles per bin (interval in _rows)
        n = np.array([len(idx)], dtype=float)
        return n / width, np.full(1, np.nan), np.full(1, np.nan), n.astype(int)
    num, den = dv.num[idx], dv.den[idx]
    n_docs = (den > 0).sum(axis=0)
    tot = den.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(tot > 0, dv.scale * num.sum(axis=0) / tot, np.nan)
    lo = hi = np.full(k, np.nan)
    if interval is None or thin or len(idx) == 0:
        return est, lo, hi, n_docs
    if interval == "profile":                                 # markers: negative-binomial profile
        w = den[:, 0]
        if (w > 0).sum() >= 2:
            lo, hi = nb_rate_interval(num, w, alpha=alpha)
            lo, hi = dv.scale * np.asarray(lo), dv.scale * np.asarray(hi)
    else:
        W = bootstrap_counts(len(idx), n_boot, rng).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            draws = dv.scale * (W @ num) / (W @ den)
        lo, hi = percentile_interval(draws, alpha)
        if dv.measure == "markers":                           # nothing counted: the rule of three
            zero = num.sum(axis=0) == 0
            lo = np.where(zero, 0.0, lo)
            hi = np.where(zero, dv.scale * zero_count_upper(np.maximum(tot, 1e-12), alpha), hi)
    return est, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float), n_docs


def _check(freq: str, n_boot: Any, alpha: float, rolling: Any, interval: str, measure: str) -> tuple[int, str | None]:
    if freq not in FREQS:
        raise ValueError(f"over_time: freq must be one of {sorted(FREQS)}, got {freq!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"over_time: n_boot must be an int >= 0, got {n_boot!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"over_time: alpha must be in (0, 1), got {alpha!r}")
    if rolling is not None and (isinstance(rolling, bool) or not isinstance(rolling, (int, np.integer))
                                or rolling < 1 or rolling % 2 == 0):
        raise ValueError(f"over_time: rolling must be None or an odd int >= 1 (bins, centred), got {rolling!r}")
    if interval not in ("auto", "percentile", "profile"):
        raise ValueError(f"over_time: interval must be 'auto', 'percentile' or 'profile', got {interval!r}")
    if interval == "profile" and measure != "markers":
        raise ValueError("over_time: interval='profile' is for measure='markers' only")
    if interval == "auto":
        interval = "profile" if measure == "markers" else "percentile"
    if measure == "volume":
        interval = "poisson"
    return int(n_boot), (interval if (n_boot > 0 or interval in ("poisson", "profile")) else None)


def _rows(dv: DocumentValues, bins: np.ndarray, starts: pd.DatetimeIndex, groups: list[Any], half: int,
          interval: str | None, n_boot: int, rng: np.random.Generator, alpha: float, min_docs: int) -> pd.DataFrame:
    n_bins, k = len(starts), len(dv.items)
    recs: list[pd.DataFrame] = []
    for g in groups:
        mine = np.flatnonzero((dv.group == g) & (bins >= 0))
        order = mine[np.argsort(bins[mine], kind="stable")]
        edges = np.searchsorted(bins[order], np.arange(n_bins + 1), side="left")
        est, lo, hi, nd = (np.full((n_bins, k), np.nan) for _ in range(4))
        width = np.array([min(n_bins, b + half + 1) - max(0, b - half) for b in range(n_bins)], dtype=float)
        for b in range(n_bins):
            a, z = max(0, b - half), min(n_bins, b + half + 1)
            idx = order[edges[a]:edges[z]]
            n_any = len(idx) if dv.den is None else int((dv.den[idx] > 0).any(axis=1).sum())
            est[b], lo[b], hi[b], nd[b] = _cell(dv, idx, z - a, interval, n_boot, rng, alpha, n_any < min_docs)
        if dv.den is None and interval is not None:           # exact Poisson interval of the count
            lo, hi = (x[:, None] / width[:, None] for x in _garwood(nd[:, 0], alpha))
        frame = pd.DataFrame({"date": np.repeat(starts.to_numpy(), k), "group": g})
        for c in dv.items.columns:
            frame[c] = np.tile(dv.items[c].to_numpy(), n_bins)
        frame["estimate"], frame["ci_low"], frame["ci_high"] = est.ravel(), lo.ravel(), hi.ravel()
        frame["n_docs"] = nd.ravel().astype(np.int64)
        recs.append(frame)
    out = pd.concat(recs, ignore_index=True) if recs else pd.DataFrame(columns=["date", "group", "estimate"])
    out["thin"] = out["n_docs"] < min_docs
    if dv.den is not None:
        out.loc[out["thin"], ["ci_low", "ci_high"]] = np.nan
    return out


def over_time(table: pd.DataFrame | DocumentValues, measure: str | None = None, *, freq: str = "D",
              group: Any = "outlet", date: str = "published", labels: Any = None, lexicon: Any = None,
              scores: Any = None, axes: Any = None, coder: Any = None, embeddings: Any = None, encoder: Any = None,
              voice: str = "own", boilerplate: str = "drop", per: float = 1000, interval: str = "auto",
              n_boot: int = 1000, alpha: float = 0.05, random_state: int | np.random.Generator | None = None,
              min_docs: int = MIN_DOCS, rolling: int | None = None, start: Any = None, end: Any = None
              ) -> pd.DataFrame:
    """A measure per time bin and group: estimate, interval, documents; empty bins kept.

    Documents are binned by their date (``freq="D"`` days, ``"W"`` weeks from Monday, ``"M"``
    months, ``"Y"`` calendar years). The estimate of a (bin, group) cell pools its documents: ``sum(numerator) /
    sum(denominator)`` over documents (:func:`framing.timeline.document_values`), so a marker
    rate is matches per ``per`` words of the cell, a share is sentences of the class over
    labelled sentences, an axis position the FrameAxis bias (Kwak et al. 2021) of the cell's
    sentences, and volume the number of articles (attention).

    **Intervals.** The cell's documents are resampled with replacement ``n_boot`` times
    (:func:`framing.stats.bootstrap_counts`, within the cell) and the percentile interval is
    reported (Efron & Tibshirani 1993, ch. 13). For marker rates the default
    (``interval="auto"``) is the negative-binomial profile interval of
    :func:`framing.marker_rates` (:func:`framing.stats.nb_rate_interval`), because the
    percentile bootstrap of bursty counts covers far less than nominal with few documents;
    ``interval="percentile"`` asks for the bootstrap. A cell where a marker never occurs gets
    ``[0, rule of three]``. Volume is a count: its interval is the exact Poisson (Garwood
    1936) interval, which treats articles as arriving independently (no bootstrap).

    **Thin and empty bins.** A cell with fewer than ``min_docs`` documents is ``thin``: its
    estimate is kept and its interval is NaN (volume keeps its Poisson interval). A bin with
    no document of the group is a row with ``n_docs = 0`` and NaN estimate (volume: 0); no
    value is ever interpolated.

    **Rolling windows.** ``rolling=w`` (odd) pools the documents of the ``w`` bins centred on
    each bin (fewer at the ends), so the window's estimate weighs documents, not bins (no
    average of averages); volume becomes the mean number of articles per bin of the window.

    Parameters
    ----------
    table : DataFrame or DocumentValues
        A sentence table (:func:`framing.split_sentences`) or a corpus with ``doc_id`` and the
        ``date`` column; or per-document values already computed (then ``measure`` and its
        inputs are not needed).
    measure : {"volume", "markers", "axes", "stance", "themes"}
    freq : {"D", "W", "M", "Y"}
    group : str, mapping, (column, mapping) or None
        The glossary's ``group=``.
    date : str
        Date column (default ``"published"``).
    labels, lexicon, scores, axes, coder, embeddings, encoder, voice, boilerplate, per
        Inputs of the measure, see :func:`framing.timeline.document_values` (own voice by
        default for markers and axes).
    interval : {"auto", "percentile", "profile"}
    n_boot : int
        Bootstrap resamples per cell; 0 turns the bootstrap intervals off.
    alpha : float
        Intervals cover ``1 - alpha``.
    random_state : None, int or Generator
    min_docs : int
        Fewest documents for an interval (default 5).
    rolling : odd int, optional
        Centred window, in bins.
    start, end : date-like, optional
        First and last day covered (default: the first and last document).

    Returns
    -------
    DataFrame
        One row per (bin, group[, item]): ``date`` (bin start), ``group``, the item columns
        (``family``/``marker``, ``axis``, ``class`` or ``theme``), ``estimate``, ``ci_low``,
        ``ci_high``, ``n_docs``, ``thin``. ``attrs`` records the options, ``attrs["items"]``
        the item columns and ``attrs["documents"]`` the :class:`DocumentValues`, which
        :func:`framing.change_points` resamples.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": list("abcdef"), "outlet": "X",
    ...                   "published": ["2022-09-20"] * 3 + ["2022-09-22"] * 3})
    >>> t = over_time(s, "volume", freq="D")
    >>> t[["date", "estimate", "n_docs", "thin"]].astype(str).values.tolist()
    [['2022-09-20', '3.0', '3', 'True'], ['2022-09-21', '0.0', '0', 'True'], ['2022-09-22', '3.0', '3', 'True']]
    """
    if isinstance(table, DocumentValues):
        if measure is not None and measure != table.measure:
            raise ValueError(f"over_time: the DocumentValues hold {table.measure!r}, not {measure!r}")
        dv = table
    else:
        if measure is None:
            raise TypeError("over_time() needs a measure ('volume', 'markers', 'axes', 'stance' or 'themes')")
        dv = document_values(table, measure, group=group, date=date, labels=labels, lexicon=lexicon, scores=scores,
                             axes=axes, coder=coder, embeddings=embeddings, encoder=encoder, voice=voice,
                             boilerplate=boilerplate, per=per)
    n_boot, method = _check(freq, n_boot, alpha, rolling, interval, dv.measure)
    min_docs = check_min_docs(min_docs, caller="over_time")
    bins, starts = bin_index(dv.date, freq, start, end)
    groups = sorted(set(dv.group), key=str)
    out = _rows(dv, bins, starts, groups, (rolling or 1) // 2, method, n_boot, as_rng(random_state), alpha, min_docs)
    out.attrs.update({"measure": dv.measure, "freq": freq, "group": dv.params.get("group"), "n_boot": n_boot,
                      "alpha": alpha, "interval": method, "min_docs": min_docs, "rolling": rolling,
                      "random_state": random_state if isinstance(random_state, (int, type(None))) else "Generator",
                      "start": str(pd.Timestamp(start).date()) if start is not None else None,
                      "end": str(pd.Timestamp(end).date()) if end is not None else None, "first_bin": str(starts[0].date()),
                      "items": list(dv.items.columns), "voice": dv.params.get("voice"),
                      "boilerplate": dv.params.get("boilerplate"), "per": dv.params.get("per"),
                      "dropped": dv.params.get("dropped"), "documents": dv})
    return out
